import { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, waitForRouting } from '@tlp-broker/harness';
import { startBroker, TestBroker } from '../support/broker';
import {
  ConsoleTab,
  createAccount,
  expectAccessible,
  launchBrowser,
  openConsole,
  screenshot,
  signIn,
  StaffAccount,
} from '../support/browser';
import { newKeyPair, postOrganisation } from '../support/partners';
import { Peer, pushSettings, ReceivedMail, startMailPeer, startWebhookPeer } from '../support/peers';

interface Delivery {
  kind: string;
  organisation: string;
  state: string;
}

/** Waits until `locator` (or one of what it finds) shows `text`. */
async function shows(locator: Locator, text: string | RegExp, timeout = 15_000): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

/** A call to the API from the signed-in page itself: its session cookie and CSRF token, as the console sends them. */
async function asMember<T>(page: Page, method: string, path: string, json?: unknown): Promise<T> {
  const answer = await page.evaluate(
    async ({ method, path, json }) => {
      const session = (await (await fetch('/auth/session')).json()) as { csrfToken: string };
      const response = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    },
    { method, path, json },
  );
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return answer.body as T;
}

/**
 * The items list, the item page and the approvals screen against a whole broker: TLP:AMBER+STRICT
 * needs a second person's approval, and partners' webhooks are real HTTP servers that the test
 * can hold, to watch deliveries move on the item page without reloading it.
 */
describe('items, an item and approvals in the console', () => {
  let broker: TestBroker;
  let smtp: Peer;
  let hooks: Peer;
  const mails: ReceivedMail[] = [];
  /** While true, the webhook endpoints keep their answers until release() (the broker's attempt stays `sending`). */
  let holding = false;
  const held: (() => void)[] = [];
  let browser: Browser;
  let author: StaffAccount;
  let approver: StaffAccount;
  let authorTab: ConsoleTab;
  let approverTab: ConsoleTab;
  let ec3: string;
  let itemId: string;

  const release = () => {
    holding = false;
    for (const answer of held.splice(0)) answer();
  };

  const firstVersion = (audience: { communities: string[] }) => ({
    type: 'advisory',
    title: 'Phishing campaign impersonating the national police',
    summary: 'Mails ask for a fine to be paid.',
    body: 'What happened\nMails claim a speeding fine.\nThey link to a fake payment page.',
    tlp: 'TLP:GREEN',
    audience,
    indicators: [
      { type: 'domain', value: 'police-fines.example' },
      { type: 'ipv4', value: '203.0.113.7', description: 'Landing page' },
    ],
  });

  beforeAll(async () => {
    smtp = await startMailPeer(mails);
    hooks = await startWebhookPeer((_request, _body, response) => {
      const answer = () => response.writeHead(200).end();
      if (holding) held.push(answer);
      else answer();
    });
    [broker, browser] = await Promise.all([
      startBroker({
        env: { ...pushSettings(smtp), APPROVAL_REQUIRED_FOR: 'amber-strict', WEBHOOK_TIMEOUT_MS: '30000' },
      }),
      launchBrowser(),
    ]);
    const partner = async (name: string, path: string) => {
      const keys = await newKeyPair(name, `soc@${path}.example`);
      const registered = await postOrganisation<{ id: string }>(broker.url, broker.adminKey, name, keys.publicArmored, {
        communities: ['eu-lea'],
        channels: [{ kind: 'webhook', address: `${hooks.url}/${path}` }],
      });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      return registered.body.id;
    };
    ec3 = await partner('Europol EC3', 'ec3');
    await partner('CERT-FR', 'cert-fr');
    // The author may also approve, so the approvals screen is theirs too: four eyes still keep them from their own item.
    author = await createAccount(broker, 'alice', ['analyst', 'approver']);
    approver = await createAccount(broker, 'bob', ['approver']);
    authorTab = await openConsole(browser, broker);
    await signIn(authorTab.page, author);
  });

  afterAll(async () => {
    release();
    await browser?.close();
    await broker?.close();
    await smtp?.close();
    await hooks?.close();
  });

  it('lists items newest first, by state and title, with their author', async () => {
    const page = authorTab.page;
    const first = await asMember<{ id: string; state: string }>(
      page,
      'POST',
      '/items',
      firstVersion({ communities: ['eu-lea'] }),
    );
    expect(first.state).toBe('published');
    itemId = first.id;
    const other = await asMember<{ id: string }>(page, 'POST', '/items', {
      type: 'alert',
      title: 'Ransomware affiliate infrastructure',
      body: 'x',
      tlp: 'TLP:CLEAR',
    });
    await waitForRouting(broker.url, broker.analystKey, itemId);
    await waitForRouting(broker.url, broker.analystKey, other.id);

    await page.goto('/console/items');
    await page.getByRole('heading', { level: 1, name: 'Items' }).waitFor();
    const table = page.getByRole('table', { name: 'Items, most recently changed first' });
    await shows(page.getByRole('status'), '2 items');
    const rows = table.getByRole('row');
    expect(await rows.nth(1).textContent()).toContain('Ransomware affiliate infrastructure');
    const row = rows.filter({ hasText: 'Phishing campaign impersonating the national police' });
    const cells = (await row.getByRole('cell').allTextContents()).map((cell) => cell.trim());
    expect(cells).toEqual([
      'Phishing campaign impersonating the national police',
      'advisory',
      'TLP:GREEN',
      'published',
      '1',
      'alice',
      expect.stringMatching(/\d{4}, \d{2}:\d{2} (CET|CEST)$/),
    ]);

    await page.getByLabel('Title contains').fill('phishing');
    await shows(page.getByRole('status'), '1 item');
    expect(page.url()).toContain('q=phishing');
    await page.getByLabel('State').selectOption({ label: 'retracted' });
    await shows(page.getByRole('status'), 'No item matches.');
    await page.getByLabel('State').selectOption({ label: 'published' });
    await shows(page.getByRole('status'), '1 item');
    await expectAccessible(page, 'items');
    await screenshot(page, 'items');
  });

  it('does not offer the author an Approve button on their own pending update, and says why', async () => {
    const page = authorTab.page;
    const update = await asMember<{ state: string; version: number }>(page, 'PUT', `/items/${itemId}`, {
      ...firstVersion({ communities: [] }),
      title: 'Phishing campaign impersonating the gendarmerie',
      body: 'What happened\nMails claim a speeding fine from the gendarmerie.\nThey link to a fake payment page.\nDo not pay.',
      tlp: 'TLP:AMBER+STRICT',
      audience: { organisations: [ec3] },
      indicators: [
        { type: 'ipv4', value: '203.0.113.7', description: 'Landing page' },
        { type: 'url', value: 'https://police-fines.example/pay' },
      ],
    });
    expect(update).toMatchObject({ state: 'pending-approval', version: 2 });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
    await page.getByText('1 item waits for approval.').waitFor();
    await page.getByRole('button', { name: /^Phishing campaign impersonating the gendarmerie/ }).click();
    await page
      .getByRole('heading', { level: 2, name: 'Review: Phishing campaign impersonating the gendarmerie' })
      .waitFor();
    await page.getByText('You wrote this version: another approver must release it (four eyes).').waitFor();
    expect(await page.getByRole('button', { name: 'Approve and release' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reject' }).count()).toBe(0);
  });

  it('shows the approver what changed since the released version, field by field, and releases it', async () => {
    approverTab = await openConsole(browser, broker);
    const page = approverTab.page;
    await signIn(page, approver);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('button', { name: /^Phishing campaign impersonating the gendarmerie/ }).click();
    const review = page.getByRole('region', { name: 'Review: Phishing campaign impersonating the gendarmerie' });
    await review.getByText('Compared with version 1, the last one released to partners.').waitFor();
    const field = (name: string) => review.getByRole('region', { name, exact: true });
    expect(await field('Title').textContent()).toBe(
      'TitleReleasedPhishing campaign impersonating the national policePendingPhishing campaign impersonating the gendarmerie',
    );
    expect(await field('TLP').textContent()).toBe('TLPReleasedTLP:GREENPendingTLP:AMBER+STRICT');
    const lines = field('Body')
      .getByRole('list', { name: 'Body, line by line: removed and added lines' })
      .getByRole('listitem');
    expect(await lines.allTextContents()).toEqual([
      ' What happened',
      '−removed: Mails claim a speeding fine.',
      '+added: Mails claim a speeding fine from the gendarmerie.',
      ' They link to a fake payment page.',
      '+added: Do not pay.',
    ]);
    // Organisations are named from the partner directory.
    await shows(field('Audience'), 'Europol EC3');
    expect(await field('Audience').textContent()).toBe('AudienceCommunitiesRemovedeu-leaOrganisationsAddedEuropol EC3');
    expect(await field('Indicators').textContent()).toBe(
      'IndicatorsAddedurl https://police-fines.example/payRemoveddomain police-fines.example',
    );
    await review.getByText('Unchanged: Summary, PAP, Severity, Caveats, Provenance, Embargo.').waitFor();
    await expectAccessible(page, 'approvals');
    await screenshot(page, 'approvals-diff');

    // The partners' webhooks hold their answers: the deliveries of version 2 stay under way.
    holding = true;
    await review.getByRole('button', { name: 'Approve and release' }).click();
    await page
      .getByText('"Phishing campaign impersonating the gendarmerie" was approved and is on its way to its recipients.')
      .waitFor();
    await page.getByText('Nothing is waiting for approval.').waitFor();
  });

  it('watches the deliveries and recall notices reach their partners without reloading', async () => {
    const page = approverTab.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Items' }).click();
    await page.getByRole('link', { name: 'Phishing campaign impersonating the gendarmerie' }).click();
    await page.getByRole('heading', { level: 1, name: 'Phishing campaign impersonating the gendarmerie' }).waitFor();
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));

    const recipients = page.getByRole('region', { name: 'Recipients' });
    const recalls = page.getByRole('region', { name: 'Recall notices' });
    // EC3 may have version 2; CERT-FR, which had version 1, may not any more: it is sent a recall notice.
    await shows(recipients.getByRole('status'), '0 of 1 delivered, 1 sending');
    await shows(recalls.getByRole('status'), 'Recall notices: 0 of 1 delivered, 1 sending');
    const ec3Row = recipients.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Europol EC3' }) });
    const ec3Cells = await ec3Row.getByRole('cell').allTextContents();
    expect(ec3Cells[0]).toBe('webhook');
    expect(ec3Cells[1]).toMatch(/^allowed /);
    expect(ec3Cells[3]).toBe('sending');
    const certRow = recipients.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'CERT-FR' }) });
    expect((await certRow.getByRole('cell').allTextContents())[1]).toMatch(/^withheld /);
    await screenshot(page, 'item-sending');

    release();
    await shows(recipients.getByRole('status'), '1 of 1 delivered');
    await shows(recalls.getByRole('status'), 'Recall notices: 1 of 1 delivered');
    expect((await ec3Row.getByRole('cell').allTextContents())[3]).toBe('delivered');
    const recallRow = recalls.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'CERT-FR' }) });
    const recallCells = await recallRow.getByRole('cell').allTextContents();
    expect(recallCells[0]).toBe('webhook');
    expect(recallCells[3]).toBe('delivered');
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);

    const versions = page.getByRole('region', { name: 'Versions' });
    await versions.getByRole('button', { name: /^Version 1/ }).click();
    await versions.getByRole('heading', { name: 'Version 1 as written' }).waitFor();
    await shows(versions, 'Written by alice');
    await versions.getByRole('button', { name: /^Version 2/ }).click();
    await shows(versions, 'Approved by bob');
    await expectAccessible(page, 'item');
    await screenshot(page, 'item-delivered');
  });

  it('retracts the item with a notice: recall notices go to its recipients, and the audit trail tells it all', async () => {
    const page = approverTab.page;
    await page.getByRole('button', { name: 'Retract', exact: true }).click();
    await page.getByRole('button', { name: 'Retract…' }).click();
    await page.getByText('Give the reason for retracting.').waitFor();
    await page.getByLabel('Reason', { exact: true }).fill('The landing page was a sinkhole');
    await page.getByLabel('Notice to recipients (optional)').fill('Please remove 203.0.113.7 from your blocklists.');
    await page.getByRole('button', { name: 'Retract…' }).click();
    await page.getByText(/^Retract "Phishing campaign impersonating the gendarmerie"\? /).waitFor();
    await page.getByRole('button', { name: 'Yes, retract it' }).click();
    await page
      .getByText(
        'Retracted. Deliveries cancelled before they left: 0. Recall notices queued: 1. Feed entries removed: 0.',
      )
      .waitFor();
    await shows(page.locator('.item-facts'), 'retracted');
    expect(await page.getByRole('button', { name: 'Retract', exact: true }).count()).toBe(0);

    const recalls = page.getByRole('region', { name: 'Recall notices' });
    await shows(recalls.getByRole('status'), 'Recall notices: 2 of 2 delivered');
    const sent = await call<Delivery[]>(broker.url, 'GET', `/deliveries?item=${itemId}&kind=recall`, {
      key: broker.analystKey,
    });
    expect(sent.map((d) => [d.organisation, d.state]).sort()).toEqual([
      ['CERT-FR', 'delivered'],
      ['Europol EC3', 'delivered'],
    ]);
    await shows(page.getByRole('region', { name: 'Recipients' }).getByRole('row'), 'recalled');

    const audit = page.getByRole('table', { name: 'Audit trail, oldest first' });
    await shows(audit.getByRole('row'), 'recall.delivered');
    const actions = await audit.locator('tbody tr td:nth-child(3)').allTextContents();
    const story = [
      'item.published',
      'item.routed',
      'item.update-submitted-for-approval',
      'item.approved',
      'item.retracted',
    ];
    expect(story.map((action) => actions.indexOf(action))).toEqual(
      story.map((action) => actions.indexOf(action)).sort((a, b) => a - b),
    );
    expect(actions).toEqual(expect.arrayContaining([...story, 'delivery.delivered', 'recall.delivered']));
    const approved = audit.getByRole('row').filter({ hasText: 'item.approved' });
    expect((await approved.getByRole('cell').allTextContents())[1]).toBe('bob');
    const retracted = audit.getByRole('row').filter({ hasText: 'item.retracted' });
    const details = (await retracted.getByRole('cell').allTextContents())[3];
    expect(details).toContain('reason: The landing page was a sinkhole');
    expect(details).toContain('notice: Please remove 203.0.113.7 from your blocklists.');
    await expectAccessible(page, 'item-retracted');
    await screenshot(page, 'item-retracted');

    expect(authorTab.breaches).toEqual([]);
    expect(approverTab.breaches).toEqual([]);
  });
});
