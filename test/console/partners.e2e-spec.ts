import * as openpgp from 'openpgp';
import { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, request } from '@tlp-broker/harness';
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
import { newKeyPair, postOrganisation, registerPartner } from '../support/partners';

const DAY_S = 86_400;

/** A fingerprint as the console writes it: groups of four. */
const grouped = (fingerprint: string) => fingerprint.match(/.{1,4}/g)!.join(' ');

/** The row of `table` whose row header is `name`. */
function rowOf(table: Locator, name: string | RegExp): Locator {
  // The inner locator is matched within each row, so it starts from the page, not from the table.
  return table.getByRole('row').filter({ has: table.page().getByRole('rowheader', { name }) });
}

/** The status a member's session gets for a call made from the page, with the session's CSRF token. */
function statusFromPage(page: Page, method: string, path: string, json?: unknown): Promise<number> {
  return page.evaluate(
    async ({ method, path, json }) => {
      const session = (await (await fetch('/auth/session')).json()) as { csrfToken: string };
      const response = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      return response.status;
    },
    { method, path, json },
  );
}

/** The error shown on a form control (marked invalid, and described by the error's text). */
async function fieldError(page: Page, control: Locator): Promise<string> {
  await control.and(page.locator('[aria-invalid="true"]')).waitFor();
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ');
  const errorId = ids.find((id) => id.endsWith('-error'));
  expect(errorId, 'the control is described by an error').toBeDefined();
  return (await page.locator(`[id="${errorId}"]`).textContent()) ?? '';
}

async function feedStatus(broker: TestBroker, key: string): Promise<number> {
  return (await request(broker.url, 'GET', '/feed', { key })).status;
}

/** A Curve25519 key (made an hour ago) expiring `days` after it was made, or never. */
async function eccKey(name: string, days?: number) {
  return openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name, email: `soc@${name.toLowerCase().replace(/[^a-z]+/g, '-')}.example` }],
    date: new Date(Date.now() - 3_600_000),
    ...(days ? { keyExpirationTime: days * DAY_S } : {}),
  });
}

/**
 * The partner screens as an administrator (registering, contacts, channels, keys, feed credentials)
 * and as an analyst (read-only, the API refusing the same changes), against a whole broker.
 */
describe('partners in the console', () => {
  let broker: TestBroker;
  let browser: Browser;
  let adminTab: ConsoleTab;
  let analystTab: ConsoleTab;
  let admin: StaffAccount;
  let analyst: StaffAccount;
  let nordicId: string;

  beforeAll(async () => {
    [broker, browser] = await Promise.all([startBroker({ dispatcher: false }), launchBrowser()]);
    [admin, analyst] = await Promise.all([
      createAccount(broker, 'alice', ['admin']),
      createAccount(broker, 'ana', ['analyst']),
    ]);
    const soon = await eccKey('Soon CERT', 10);
    const later = await eccKey('Later CERT', 200);
    const revoked = await eccKey('Revoked CERT');
    for (const [name, key] of [
      ['Soon CERT', soon],
      ['Later CERT', later],
      ['Revoked CERT', revoked],
    ] as const) {
      const answer = await postOrganisation<{ id: string }>(broker.url, broker.adminKey, name, key.publicKey);
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      if (key === revoked)
        await call(broker.url, 'PUT', `/organisations/${answer.body.id}/key`, {
          key: broker.adminKey,
          json: { publicKey: revoked.revocationCertificate },
        });
    }
    await registerPartner(broker.url, broker.adminKey, { name: 'Europol EC3', relation: 'peer', kind: 'lea' });
    adminTab = await openConsole(browser, broker);
    await adminTab.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: broker.url });
    await signIn(adminTab.page, admin);
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
  });

  it('registers an organisation through the form, shows its API key once, and lists it', async () => {
    const page = adminTab.page;
    const keys = await newKeyPair('Nordic CERT', 'soc@nordic-cert.example');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Partners' }).click();
    await page.getByRole('heading', { level: 1, name: 'Partners' }).waitFor();
    await page.getByRole('status').filter({ hasText: '4 of 4 organisations shown' }).waitFor();
    await expectAccessible(page, 'partners-list');

    await page.getByRole('button', { name: 'Register organisation' }).click();
    const form = page.getByRole('form', { name: 'Register an organisation' });
    await form.getByLabel('Name', { exact: true }).fill('Nordic CERT');
    await form.getByLabel('Kind', { exact: true }).selectOption({ label: 'CERT' });
    await form.getByLabel('Relation').selectOption({ label: 'Constituent' });
    await form.getByLabel('Country').fill('NO');
    await form.getByLabel('Communities').fill('EU CSIRT');
    await form.getByLabel('OpenPGP public key (armored)').fill(keys.publicArmored);
    await form.getByRole('button', { name: 'Add a channel' }).click();
    await form.getByRole('group', { name: 'Channel 2' }).getByLabel('Address').fill('soc@nordic-cert.example');
    await form.getByRole('button', { name: 'Register', exact: true }).click();

    // The API's words on the field it refused; nothing registered.
    const communities = form.getByLabel('Communities');
    expect(await fieldError(page, communities)).toContain('each entry must be lower-case letters, digits and "-"');
    await expectAccessible(page, 'partners-register-error');
    await communities.fill('eu-csirt');
    await form.getByRole('button', { name: 'Register', exact: true }).click();

    await page.getByRole('heading', { level: 2, name: 'Nordic CERT is registered.' }).waitFor();
    const secret = page.getByTestId('one-time-secret');
    expect(await secret.count()).toBe(1);
    const apiKey = (await secret.textContent())!.trim();
    await page.getByText('Copy it now: it will not be shown again.').waitFor();
    await page.getByRole('button', { name: /^Copy API key/ }).click();
    await page.getByRole('button', { name: /^Copied API key/ }).waitFor();
    // A string: the tests are type-checked without the DOM's types.
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(apiKey);
    expect(await feedStatus(broker, apiKey)).toBe(200);
    await screenshot(page, 'partners-registered');

    const row = rowOf(page.getByRole('table', { name: 'Partner organisations' }), 'Nordic CERT');
    await row.waitFor();
    const cells = (await row.getByRole('cell').allTextContents()).map((cell) => cell.trim());
    expect(cells.slice(0, 6)).toEqual(['CERT', 'Constituent', 'NO', 'eu-csirt', '—', 'Active']);
    expect(cells[6]).toBe('Does not expire');
    await page.getByLabel('Search').fill('nordic');
    await page.getByRole('status').filter({ hasText: '1 of 5 organisations shown' }).waitFor();
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByTestId('one-time-secret').count()).toBe(0);
    await page.getByRole('link', { name: 'Nordic CERT', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Nordic CERT' }).waitFor();
    nordicId = page.url().split('/').pop()!;
    const keyRow = rowOf(page.getByRole('table', { name: /^Keys of Nordic CERT/ }), 'Nordic CERT (organisation)');
    await keyRow.getByText(grouped(keys.fingerprint)).waitFor();
  });

  it('adds a contact, suspends and reinstates a channel, and replaces a key', async () => {
    const page = adminTab.page;
    const contacts = page.getByRole('region', { name: 'Contacts' });
    await contacts.getByRole('button', { name: 'Add a contact' }).click();
    const person = await newKeyPair('Ingrid Berg', 'ingrid.berg@nordic-cert.example');
    const form = contacts.getByRole('form', { name: 'Add a contact' });
    await form.getByLabel('Name').fill('Ingrid Berg');
    await form.getByLabel('E-mail').fill('ingrid.berg@nordic-cert.example');
    await form.getByLabel('OpenPGP public key (armored)').fill(person.publicArmored);
    await form.getByRole('button', { name: 'Add contact' }).click();
    await contacts.getByText('Ingrid Berg is added, with a personal feed.').waitFor();
    const personalKey = (await contacts.getByTestId('one-time-secret').textContent())!.trim();
    expect(await feedStatus(broker, personalKey)).toBe(200);
    const contactRow = rowOf(contacts.getByRole('table'), 'Ingrid Berg');
    await contactRow.getByText('ingrid.berg@nordic-cert.example').waitFor();
    await contactRow.getByText(grouped(person.fingerprint)).waitFor();

    const channels = page.getByRole('table', { name: /^Channels of Nordic CERT/ });
    await rowOf(channels, 'Pull feed').filter({ hasText: 'Personal: Ingrid Berg' }).waitFor();
    const mail = channels.getByRole('row').filter({ hasText: 'soc@nordic-cert.example' });
    expect(await mail.getByText('Team (not personal)').count()).toBe(1);
    await mail.getByRole('button', { name: /^Suspend/ }).click();
    await mail.getByText('Suspended', { exact: true }).waitFor();
    const channelStates = async () =>
      (
        await call<{ channels: { kind: string; status: string }[] }>(broker.url, 'GET', `/organisations/${nordicId}`, {
          key: broker.adminKey,
        })
      ).channels.find((channel) => channel.kind === 'email')!.status;
    expect(await channelStates()).toBe('suspended');
    await expectAccessible(page, 'partners-organisation');
    await screenshot(page, 'partners-organisation');
    await mail.getByRole('button', { name: /^Reinstate/ }).click();
    await mail.getByText('Active', { exact: true }).waitFor();
    expect(await channelStates()).toBe('active');

    const replacement = await newKeyPair('Nordic CERT', 'soc@nordic-cert.example');
    await page.getByRole('region', { name: 'Keys' }).getByRole('button', { name: 'Replace a key' }).click();
    const replace = page.getByRole('form', { name: 'Replace a key' });
    await replace.getByLabel('Whose key').selectOption({ label: 'Nordic CERT (organisation)' });
    await replace.getByLabel('OpenPGP public key (armored)').fill(replacement.publicArmored);
    await replace.getByRole('button', { name: 'Replace key' }).click();
    await replace.getByText(`The key was replaced: ${grouped(replacement.fingerprint)}`).waitFor();
    const keyRow = rowOf(page.getByRole('table', { name: /^Keys of Nordic CERT/ }), 'Nordic CERT (organisation)');
    await keyRow.getByText(grouped(replacement.fingerprint)).waitFor();
  });

  it('creates a feed credential shown once, rotates it and revokes it', async () => {
    const page = adminTab.page;
    const team = page.getByRole('region', { name: 'Credentials of the team pull feed' });
    const table = team.getByRole('table', { name: 'API keys of the team pull feed' });
    expect(await table.getByRole('row').count()).toBe(2);
    await team.getByRole('button', { name: /^Create credential/ }).click();
    const secret = team.getByTestId('one-time-secret');
    await secret.waitFor();
    const created = (await secret.textContent())!.trim();
    await team.getByText('Copy it now: it will not be shown again.').waitFor();
    expect(await feedStatus(broker, created)).toBe(200);
    const createdRow = rowOf(table, `${created.slice(0, 12)}…`);
    await createdRow.getByText('Live').waitFor();
    await screenshot(page, 'partners-credentials');

    await createdRow.getByRole('button', { name: /^Rotate/ }).click();
    await team.getByTestId('one-time-secret').filter({ hasNotText: created }).waitFor();
    const rotated = (await team.getByTestId('one-time-secret').textContent())!.trim();
    await createdRow.getByText(/^Revoked/).waitFor();
    expect(await feedStatus(broker, created)).toBe(401);
    expect(await feedStatus(broker, rotated)).toBe(200);

    const rotatedRow = rowOf(table, `${rotated.slice(0, 12)}…`);
    await rotatedRow.getByRole('button', { name: /^Revoke/ }).click();
    await rotatedRow.getByText(`Revoke key ${rotated.slice(0, 12)}…? Tools using it stop at once.`).waitFor();
    await expectAccessible(page, 'partners-credential-revoke');
    await rotatedRow.getByRole('button', { name: /^Yes, revoke/ }).click();
    await rotatedRow.getByText(/^Revoked/).waitFor();
    expect(await rotatedRow.getByRole('button').count()).toBe(0);
    expect(await feedStatus(broker, rotated)).toBe(401);
  });

  it('orders the key renewal report soonest expiry first and flags the key expiring within 30 days', async () => {
    const page = adminTab.page;
    await page.getByRole('navigation', { name: 'Partner screens' }).getByRole('link', { name: 'Key renewal' }).click();
    await page.getByRole('heading', { level: 1, name: 'Key renewal' }).waitFor();
    const table = page.getByRole('table', { name: 'Keys in use, soonest expiry first' });
    await table.waitFor();
    const order = (await table.getByRole('rowheader').allTextContents()).map((name) => name.trim());
    expect(order.slice(0, 2)).toEqual(['Soon CERT', 'Later CERT']);
    expect(order).toEqual(expect.arrayContaining(['Revoked CERT', 'Europol EC3', 'Nordic CERT']));

    const soon = rowOf(table, 'Soon CERT');
    await soon.getByText(/^expires in (9|10) days$/).waitFor();
    expect(await soon.getAttribute('class')).toContain('partners-renewal-flagged');
    expect(await soon.locator('.warning').count()).toBe(1);
    const later = rowOf(table, 'Later CERT');
    await later.getByText(/^(199|200) days left$/).waitFor();
    expect(await later.getAttribute('class')).toBeNull();
    expect(await later.locator('.warning').count()).toBe(0);
    await rowOf(table, 'Revoked CERT').getByText('Revoked', { exact: true }).waitFor();
    await page.getByText('2 keys need attention (expired, revoked, or expiring within 30 days).').waitFor();
    await expectAccessible(page, 'partners-keys');
    await screenshot(page, 'partners-keys');
  });

  it('shows an analyst the lists read-only, without Operations, and the API refuses the changes', async () => {
    analystTab = await openConsole(browser, broker);
    const page = analystTab.page;
    await signIn(page, analyst);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Operations' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'Partners' }).click();
    await page.getByRole('status').filter({ hasText: '5 of 5 organisations shown' }).waitFor();
    await page.getByText('Only administrators change partners; this list is read-only.').waitFor();
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);
    await expectAccessible(page, 'partners-list-analyst');

    await page.getByRole('link', { name: 'Nordic CERT', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Nordic CERT' }).waitFor();
    await rowOf(page.getByRole('table', { name: 'Named people at Nordic CERT' }), 'Ingrid Berg').waitFor();
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);
    expect(await page.getByRole('main').getByRole('textbox').count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Feed credentials' }).count()).toBe(0);
    await expectAccessible(page, 'partners-organisation-analyst');
    await screenshot(page, 'partners-organisation-analyst');

    const organisation = await call<{ channels: { id: string; kind: string }[] }>(
      broker.url,
      'GET',
      `/organisations/${nordicId}`,
      { key: broker.adminKey },
    );
    const feed = organisation.channels.find((channel) => channel.kind === 'feed')!;
    expect(await statusFromPage(page, 'PATCH', `/organisations/${nordicId}`, { status: 'suspended' })).toBe(403);
    expect(
      await statusFromPage(page, 'PATCH', `/organisations/${nordicId}/channels/${feed.id}`, { status: 'suspended' }),
    ).toBe(403);
    expect(
      await statusFromPage(page, 'POST', `/organisations/${nordicId}/channels/${feed.id}/credentials`, {
        scopes: ['feed'],
      }),
    ).toBe(403);
    expect(await statusFromPage(page, 'GET', `/organisations/${nordicId}/channels/${feed.id}/credentials`)).toBe(403);
    expect(await statusFromPage(page, 'GET', '/operations/queues')).toBe(403);
    const after = await call<{ status: string }>(broker.url, 'GET', `/organisations/${nordicId}`, {
      key: broker.adminKey,
    });
    expect(after.status).toBe('active');

    await page.goto('/console/operations');
    await page.getByText('Only administrators see this screen.').waitFor();
    expect(adminTab.breaches).toEqual([]);
    expect(analystTab.breaches).toEqual([]);
  });
});
