import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@tlp-broker/harness';
import { startBroker, TestBroker } from '../support/broker';
import {
  CONSOLE_OUTPUT,
  ConsoleTab,
  createAccount,
  expectAccessible,
  launchBrowser,
  openConsole,
  screenshot,
  signIn,
  StaffAccount,
} from '../support/browser';
import { newKeyPair, postOrganisation, registerContact, TestContact } from '../support/partners';
import { Peer, pushSettings, ReceivedMail, startMailPeer, startWebhookPeer } from '../support/peers';

/** Waits until `locator` (or one of what it finds) shows `text`. */
async function shows(locator: Locator, text: string | RegExp, timeout = 20_000): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

/** A call to the API from the signed-in page: its session cookie, and its CSRF token for changes. */
async function fromPage(page: Page, method: string, path: string, json?: unknown) {
  return page.evaluate(
    async ({ method, path, json }) => {
      const session = (await (await fetch('/auth/session')).json()) as { csrfToken: string };
      const response = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      return { status: response.status, body: (await response.json()) as { message?: string } };
    },
    { method, path, json },
  );
}

/**
 * The analysts' night, start to end, in the console: an analyst signs in with TOTP, writes a
 * TLP:AMBER advisory and watches the recipients change as organisations are added and the label
 * is raised to TLP:RED, submits it; a second person approves it; every delivery reaches
 * `delivered` on the item page, live; the analyst retracts it and sees the recall notices arrive.
 * Each step is kept as a screenshot in test-output/console/.
 */
describe('publishing from the console, from sign-in to recall', () => {
  let broker: TestBroker;
  let smtp: Peer;
  let hooks: Peer;
  const mails: ReceivedMail[] = [];
  let browser: Browser;
  let analyst: StaffAccount;
  let approver: StaffAccount;
  let analystTab: ConsoleTab;
  let approverTab: ConsoleTab;
  let page: Page;
  let ec3: string;
  let gendarmerie: string;
  const contacts: TestContact[] = [];
  let itemId: string;

  const preview = () => page.getByRole('region', { name: 'Who will receive it' });
  const settled = () => page.getByText('Updating…').waitFor({ state: 'detached', timeout: 10_000 });

  beforeAll(async () => {
    smtp = await startMailPeer(mails);
    hooks = await startWebhookPeer((_request, _body, response) => response.writeHead(200).end());
    [broker, browser] = await Promise.all([
      startBroker({ env: { ...pushSettings(smtp), APPROVAL_REQUIRED_FOR: 'red,amber-strict,caveats' } }),
      launchBrowser(),
    ]);
    const partner = async (name: string, path: string, communities: string[]) => {
      const keys = await newKeyPair(name, `soc@${path}.example`);
      const answer = await postOrganisation<{ id: string }>(broker.url, broker.adminKey, name, keys.publicArmored, {
        communities,
        channels: [{ kind: 'webhook', address: `${hooks.url}/${path}` }],
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body.id;
    };
    ec3 = await partner('Europol EC3', 'ec3', ['eu-lea']);
    gendarmerie = await partner('Gendarmerie C3N', 'c3n', ['eu-lea']);
    await partner('CERT-FR', 'cert-fr', ['fr-csirt']);
    contacts.push(await registerContact(broker.url, broker.adminKey, ec3, 'Anna Keller'));
    contacts.push(await registerContact(broker.url, broker.adminKey, gendarmerie, 'Marc Durand'));
    analyst = await createAccount(broker, 'alice', ['analyst']);
    approver = await createAccount(broker, 'bob', ['approver']);
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    await smtp?.close();
    await hooks?.close();
  });

  it('signs the analyst in with a password and a TOTP code enrolled from the QR code', async () => {
    analystTab = await openConsole(browser, broker);
    page = analystTab.page;
    await page.getByRole('heading', { name: 'Sign in to tlp-broker' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'flow-1-sign-in');
    await signIn(page, analyst);
    expect(analyst.secret).toMatch(/^[A-Z2-7]{16,}$/);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'tlpb_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // A second sign-in needs the code now that an authenticator is enrolled.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in to tlp-broker' }).waitFor();
    await signIn(page, analyst);
    await screenshot(page, 'flow-2-signed-in');
  });

  it('composes a TLP:AMBER advisory and sees the recipients change as organisations are added', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compose' }).click();
    await page.getByRole('heading', { level: 1, name: 'Compose an item' }).waitFor();
    await page.getByLabel('Type', { exact: true }).selectOption('advisory');
    await page.getByLabel('Title', { exact: true }).fill('Fake police fine payment pages');
    await page.getByLabel('Summary', { exact: true }).fill('Phishing mails ask for a speeding fine to be paid.');
    await page.getByLabel('Body (Markdown)').fill('## What happened\n\nMails claim a **speeding fine** is due.');
    await page.getByRole('radio', { name: /^TLP:AMBER / }).check();

    await page.getByLabel('Search organisations').fill('europol');
    await page.getByRole('checkbox', { name: /^Europol EC3/ }).check();
    await settled();
    await shows(preview().getByRole('status'), /^1 of \d+ channels will receive it/);
    await page.getByLabel('Search organisations').fill('gendarmerie');
    await page.getByRole('checkbox', { name: /^Gendarmerie C3N/ }).check();
    await shows(preview().getByRole('status'), 'Added: Gendarmerie C3N (webhook).');
    await settled();
    await shows(preview().getByRole('status'), /^2 of \d+ channels will receive it/);
    await expectAccessible(page, 'flow-compose-amber');
    await screenshot(page, 'flow-3-compose-amber');
  });

  it('raises the label to TLP:RED: the organisations are dropped and only the named people remain', async () => {
    await page.getByRole('radio', { name: /^TLP:RED / }).check();
    await shows(page.getByRole('group', { name: 'Named contacts' }), 'TLP:RED goes only to named people');
    await page.getByLabel('Search named contacts').fill('anna');
    await page.getByRole('checkbox', { name: /^Anna Keller \(Europol EC3\)/ }).check();
    await settled();
    const status = preview().getByRole('status');
    await shows(status, /^1 of \d+ channels will receive it/);
    const dropped = (await status.getByText(/^Dropped: /).textContent())!;
    expect(dropped).toContain('Europol EC3 (webhook)');
    expect(dropped).toContain('Gendarmerie C3N (webhook)');
    await page.getByLabel('Search named contacts').fill('marc');
    await page.getByRole('checkbox', { name: /^Marc Durand \(Gendarmerie C3N\)/ }).check();
    await shows(status.getByText(/^Added: /), 'Gendarmerie C3N — Marc Durand');
    await settled();
    await shows(status, /^2 of \d+ channels will receive it/);
    await expectAccessible(page, 'flow-compose-red');
    await page.getByRole('heading', { level: 1 }).scrollIntoViewIfNeeded();
    await screenshot(page, 'flow-4-compose-red');
    // The README shows the composer with its preview.
    mkdirSync(join(__dirname, '..', '..', 'docs'), { recursive: true });
    copyFileSync(
      join(CONSOLE_OUTPUT, 'flow-4-compose-red.png'),
      join(__dirname, '..', '..', 'docs', 'console-composer.png'),
    );
  });

  it('submits it: a TLP:RED item waits for a second person', async () => {
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(/\/console\/items\/[0-9a-f-]{36}$/);
    itemId = page.url().split('/').pop()!;
    await page.getByRole('heading', { level: 1, name: 'Fake police fine payment pages' }).waitFor();
    await shows(page.locator('.item-facts'), 'pending approval');
    const item = await call<{ state: string; tlp: string }>(broker.url, 'GET', `/items/${itemId}`, {
      key: broker.analystKey,
    });
    expect(item).toMatchObject({ state: 'pending-approval', tlp: 'TLP:RED' });
    await screenshot(page, 'flow-5-submitted');
  });

  it('is approved by a second user, and every delivery reaches delivered on the item page, live', async () => {
    approverTab = await openConsole(browser, broker);
    const second = approverTab.page;
    await signIn(second, approver);
    await second.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
    await second.getByRole('button', { name: /^Fake police fine payment pages/ }).click();
    const review = second.getByRole('region', { name: 'Review: Fake police fine payment pages' });
    await expectAccessible(second, 'flow-approvals');
    await screenshot(second, 'flow-6-approval');
    await review.getByRole('button', { name: 'Approve and release' }).click();
    await second
      .getByText('"Fake police fine payment pages" was approved and is on its way to its recipients.')
      .waitFor();

    // The analyst's item page, open all along, follows the fan-out by itself.
    const recipients = page.getByRole('region', { name: 'Recipients' });
    await shows(recipients.getByRole('status'), '2 of 2 delivered', 30_000);
    for (const contact of contacts) {
      const row = recipients.getByRole('row').filter({ hasText: contact.name });
      expect(await row.getByRole('cell').allTextContents()).toContain('delivered');
    }
    await shows(page.locator('.item-facts'), 'published');
    await expectAccessible(page, 'flow-item-delivered');
    await screenshot(page, 'flow-7-delivered');
  });

  it('retracts it with a notice, and the recall notices reach both people', async () => {
    await page.getByRole('button', { name: 'Retract', exact: true }).click();
    await page.getByLabel('Reason', { exact: true }).fill('The pages were a researcher’s sinkhole');
    await page.getByLabel('Notice to recipients (optional)').fill('Please disregard this advisory.');
    await page.getByRole('button', { name: 'Retract…' }).click();
    await page.getByRole('button', { name: 'Yes, retract it' }).click();
    await page.getByText(/^Retracted\. /).waitFor();
    const recalls = page.getByRole('region', { name: 'Recall notices' });
    await shows(recalls.getByRole('status'), 'Recall notices: 2 of 2 delivered', 30_000);
    await shows(page.getByRole('region', { name: 'Recipients' }).getByRole('row'), 'recalled');
    await expectAccessible(page, 'flow-item-retracted');
    await screenshot(page, 'flow-8-recalled');
    expect(analystTab.breaches).toEqual([]);
    expect(approverTab.breaches).toEqual([]);
  });

  it('shows an analyst no administration screens, and the API refuses them the calls anyway', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Items',
      'Compose',
      'Inbox',
      'Phone report',
      'Partners',
      'Partner feeds',
    ]);
    await nav.getByRole('link', { name: 'Partners' }).click();
    await page.getByRole('link', { name: 'Europol EC3' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Europol EC3' }).waitFor();
    expect(await page.getByRole('button', { name: /suspend/i }).count()).toBe(0);

    const queues = await fromPage(page, 'GET', '/operations/queues');
    expect(queues.status).toBe(403);
    const suspend = await fromPage(page, 'PATCH', `/organisations/${ec3}`, { status: 'suspended' });
    expect(suspend.status).toBe(403);
    const organisation = await call<{ status: string }>(broker.url, 'GET', `/organisations/${ec3}`, {
      key: broker.adminKey,
    });
    expect(organisation.status).toBe('active');
    const retry = await fromPage(page, 'GET', '/audit/verify');
    expect(retry.status).toBe(403);
  });
});
