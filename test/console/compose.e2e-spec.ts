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
import { registerContact, registerPartner, TestContact, TestPartner } from '../support/partners';

interface Decision {
  organisation: string;
  contact: string | null;
  channel: string;
  allow: boolean;
  reason: string;
  keyFingerprint: string | null;
}

interface Preview {
  summary: { channels: number; allowed: number };
  decisions: Decision[];
}

const name = (d: Decision) => `${d.organisation}${d.contact ? ` — ${d.contact}` : ''} (${d.channel})`;

/** Waits until `locator` (or one of what it finds) shows `text`. */
async function shows(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
}

/** The row of a preview table that names the recipient. */
function previewRow(page: Page, decision: Decision): Locator {
  return page
    .getByRole('region', { name: 'Who will receive it' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${escape(name(decision))}`) }) });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('composing an item in the console, with its live recipient preview', () => {
  let broker: TestBroker;
  let browser: Browser;
  let tab: ConsoleTab;
  let page: Page;
  let analyst: StaffAccount;
  let ec3: TestPartner;
  let certFr: TestPartner;
  let gendarmerie: TestPartner;
  let anna: TestContact;
  let itemId: string;

  /** What the engine decides for a draft, asked through the API as the console does. */
  const enginePreview = (json: Record<string, unknown>) =>
    call<Preview>(broker.url, 'POST', '/items/preview', {
      key: broker.analystKey,
      json: { type: 'advisory', title: 'x', body: 'x', ...json },
    });

  const status = () => page.getByRole('region', { name: 'Who will receive it' }).getByRole('status');
  /** The preview answered the form as it is now. */
  const settled = () => page.getByText('Updating…').waitFor({ state: 'detached', timeout: 10_000 });

  beforeAll(async () => {
    [broker, browser] = await Promise.all([startBroker({ dispatcher: false }), launchBrowser()]);
    await call(broker.url, 'POST', '/caveats', {
      key: broker.adminKey,
      json: { name: 'operation-nightfall', description: 'Only for the services working on operation Nightfall' },
    });
    ec3 = await registerPartner(broker.url, broker.adminKey, {
      name: 'Europol EC3',
      relation: 'peer',
      communities: ['eu-lea'],
      accreditations: ['operation-nightfall'],
    });
    certFr = await registerPartner(broker.url, broker.adminKey, {
      name: 'CERT-FR',
      relation: 'peer',
      communities: ['fr-csirt'],
    });
    gendarmerie = await registerPartner(broker.url, broker.adminKey, {
      name: 'Gendarmerie C3N',
      relation: 'constituent',
      kind: 'lea',
      communities: ['eu-lea'],
    });
    anna = await registerContact(broker.url, broker.adminKey, ec3.id, 'Anna Keller');
    analyst = await createAccount(broker, 'alice', ['analyst']);
    tab = await openConsole(browser, broker);
    page = tab.page;
    await signIn(page, analyst);
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
  });

  it('asks for a TLP label before previewing, and renders the Markdown body sanitised', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compose' }).click();
    await page.getByRole('heading', { level: 1, name: 'Compose an item' }).waitFor();
    await shows(status(), 'Choose a TLP label to see who would receive the item.');
    await page.getByLabel('Title', { exact: true }).fill('Phishing campaign impersonating the national police');
    await page
      .getByLabel('Body (Markdown)')
      .fill(
        '## What happened\n\nA **phishing** campaign.\n\n![logo](https://images.example/logo.png)\n\n<script>alert(1)</script>',
      );
    await page.getByRole('tab', { name: 'Preview' }).click();
    const rendered = page.getByRole('tabpanel', { name: 'Preview' });
    await rendered.getByRole('heading', { name: 'What happened' }).waitFor();
    expect(await rendered.locator('strong').textContent()).toBe('phishing');
    expect(await rendered.locator('img, script').count()).toBe(0);
    expect(await rendered.textContent()).toContain('[logo]');
    await page.getByRole('tab', { name: 'Write' }).click();
  });

  it("shows every partner channel with the engine's sentence and key, and names an organisation added to the audience", async () => {
    await page.getByRole('radio', { name: /^TLP:AMBER / }).check();
    await page.getByLabel('Search organisations').fill('europol');
    await page.getByRole('checkbox', { name: /^Europol EC3/ }).check();
    await page.getByLabel('Search organisations').fill('');
    await page.getByRole('checkbox', { name: /^Gendarmerie C3N/ }).check();
    const engine = await enginePreview({ tlp: 'TLP:AMBER', audience: { organisations: [ec3.id, gendarmerie.id] } });
    const sentence = `${engine.summary.allowed} of ${engine.summary.channels} channels will receive it`;
    await settled();
    await shows(status(), sentence);
    expect(engine.decisions.some((d) => !d.allow)).toBe(true);
    for (const decision of engine.decisions) {
      const row = previewRow(page, decision);
      expect(await row.count(), name(decision)).toBe(1);
      const text = (await row.textContent())!;
      expect(text).toContain(decision.reason);
      expect(text).toContain(decision.allow ? 'allowed' : 'withheld');
      if (decision.keyFingerprint) expect(text).toContain(decision.keyFingerprint);
    }
    const ec3Feed = engine.decisions.find((d) => d.organisation === 'Europol EC3' && !d.contact)!;
    expect(ec3Feed.keyFingerprint).toBe(ec3.fingerprint);
    // Withheld channels are listed apart, under their own heading.
    const withheld = engine.decisions.filter((d) => !d.allow).length;
    await page.getByRole('heading', { name: `Withheld (${withheld})` }).waitFor();

    await page.getByLabel('Search organisations').fill('cert');
    await page.getByRole('checkbox', { name: /^CERT-FR/ }).check();
    await shows(status(), 'Added: CERT-FR (feed).');
    await page
      .getByText(/^Chosen \(3\):/)
      .first()
      .waitFor();
  });

  it('shows an intake error on its field and keeps the last preview as out of date, then drops channels when TLP:RED applies', async () => {
    const before = await enginePreview({
      tlp: 'TLP:AMBER',
      audience: { organisations: [ec3.id, gendarmerie.id, certFr.id] },
    });
    await page.getByRole('radio', { name: /^TLP:RED / }).check();
    const contacts = page.getByRole('group', { name: 'Named contacts' });
    await shows(contacts, 'TLP:RED goes only to named people: list at least one contact');
    await shows(status(), /Out of date/);

    await page.getByLabel('Search named contacts').fill('anna');
    await page.getByRole('checkbox', { name: /^Anna Keller \(Europol EC3\)/ }).check();
    const after = await enginePreview({
      tlp: 'TLP:RED',
      audience: { organisations: [ec3.id, gendarmerie.id, certFr.id], contacts: [anna.id] },
    });
    await settled();
    await shows(status(), `${after.summary.allowed} of ${after.summary.channels} channels will receive it`);
    expect(await status().textContent()).not.toContain('Out of date');
    const dropped = after.decisions.filter(
      (d) => !d.allow && before.decisions.some((b) => b.allow && name(b) === name(d)),
    );
    expect(dropped.map(name)).toEqual(expect.arrayContaining(['CERT-FR (feed)', 'Europol EC3 (feed)']));
    const droppedLine = status().getByText(/^Dropped: /);
    for (const decision of dropped) expect(await droppedLine.textContent()).toContain(name(decision));
    for (const decision of dropped) {
      const row = previewRow(page, decision);
      expect(await row.textContent()).toContain(decision.reason);
      expect(await row.textContent()).toContain('(dropped)');
    }
    expect(await contacts.textContent()).not.toContain('TLP:RED goes only to named people');

    await expectAccessible(page, 'compose');
    await page.getByRole('heading', { level: 1 }).scrollIntoViewIfNeeded();
    await screenshot(page, 'compose-preview');
  });

  it('fills the indicators table from pasted lines, refanged, and flags the line it cannot read', async () => {
    await page
      .getByLabel('Paste many lines')
      .fill('hxxps://login-police[.]example/verify phishing landing page\n203.0.113[.]7\nsee the spreadsheet attached');
    await page.getByRole('button', { name: 'Add to the table' }).click();
    expect(await page.getByLabel('Value of indicator 1').inputValue()).toBe('https://login-police.example/verify');
    expect(await page.getByLabel('Type of indicator 1').inputValue()).toBe('url');
    expect(await page.getByLabel('Description of indicator 1').inputValue()).toBe('phishing landing page');
    expect(await page.getByLabel('Value of indicator 2').inputValue()).toBe('203.0.113.7');
    expect(await page.getByLabel('Type of indicator 2').inputValue()).toBe('ipv4');
    expect(await page.getByLabel('Value of indicator 3').count()).toBe(0);
    await page.getByText('2 indicators added to the table.').waitFor();
    await page.getByText('1 line is not an indicator and was not added:').waitFor();
    await page.getByText('Line 3: see the spreadsheet attached').waitFor();
    expect(await page.getByLabel('Paste many lines').inputValue()).toBe('see the spreadsheet attached');
  });

  it("refuses a bad indicator in the API's words, on its cell and in a focused summary, then submits and lands on the item", async () => {
    const value = page.getByLabel('Value of indicator 2');
    await value.fill('203.0.113.999');
    const refused = await request<any>(broker.url, 'POST', '/items/preview', {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title: 'x',
        body: 'x',
        tlp: 'TLP:RED',
        audience: { contacts: [anna.id] },
        indicators: [{ type: 'ipv4', value: '203.0.113.999' }],
      },
    });
    expect(refused.status).toBe(400);
    const { message } = refused.body.details.find((d: { field: string }) => d.field === 'indicators.0.value');
    await page.locator('#compose-indicators').getByText(message).waitFor();
    expect(await value.getAttribute('aria-invalid')).toBe('true');

    await page.getByRole('button', { name: 'Submit' }).click();
    const summary = page.getByRole('heading', { name: 'The item was not submitted: 1 problem to fix' });
    await summary.waitFor();
    await page.locator('.compose-error-summary:focus').waitFor();
    await page.getByRole('link', { name: `Value of indicator 2: ${message}` }).click();
    await page.locator('input[aria-label="Value of indicator 2"]:focus').waitFor();
    await expectAccessible(page, 'compose-errors');

    await value.fill('203.0.113.7');
    await page.getByRole('checkbox', { name: /operation-nightfall/ }).check();
    await settled();
    await shows(status(), /channels will receive it/);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL(/\/console\/items\/[0-9a-f-]{36}$/);
    itemId = page.url().split('/').pop()!;
    const item = await call<any>(broker.url, 'GET', `/items/${itemId}`, { key: broker.analystKey });
    expect(item).toMatchObject({
      title: 'Phishing campaign impersonating the national police',
      tlp: 'TLP:RED',
      caveats: ['operation-nightfall'],
      audience: { contacts: [anna.id] },
    });
    expect(['published', 'pending-approval', 'scheduled']).toContain(item.state);
    expect(item.indicators.map((i: { value: string }) => i.value)).toEqual([
      'https://login-police.example/verify',
      '203.0.113.7',
    ]);
  });

  it('fills the update form from the latest version and submits a new version with PUT', async () => {
    await page.goto(`/console/items/${itemId}/update`);
    const title = page.getByLabel('Title', { exact: true });
    await page.getByRole('heading', { level: 1, name: /^Update: Phishing campaign/ }).waitFor();
    expect(await title.inputValue()).toBe('Phishing campaign impersonating the national police');
    expect(await page.getByLabel('Body (Markdown)').inputValue()).toContain('## What happened');
    expect(await page.getByRole('radio', { name: /^TLP:RED / }).isChecked()).toBe(true);
    expect(await page.getByLabel('Value of indicator 2').inputValue()).toBe('203.0.113.7');
    expect(await page.getByLabel('Type', { exact: true }).isDisabled()).toBe(true);
    await shows(status(), /channels will receive it/);
    await title.fill('Phishing campaign impersonating the national police (update)');
    await page.getByRole('button', { name: 'Submit the update' }).click();
    await page.waitForURL(new RegExp(`/console/items/${itemId}$`));
    const item = await call<any>(broker.url, 'GET', `/items/${itemId}`, { key: broker.analystKey });
    expect(item).toMatchObject({ version: 2, title: 'Phishing campaign impersonating the national police (update)' });
    expect(tab.breaches).toEqual([]);
  });

  it("lets an item derived from TLP:AMBER+STRICT material go beyond the originator's label only to whom the originator agreed", async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compose' }).click();
    await page.getByRole('heading', { level: 1, name: 'Compose an item' }).waitFor();
    await page.getByRole('radio', { name: /^TLP:AMBER\+STRICT / }).check();
    for (const [search, partner] of [
      ['cert', /^CERT-FR/],
      ['gendarmerie', /^Gendarmerie C3N/],
    ] as const) {
      await page.getByLabel('Search organisations').fill(search);
      await page.getByRole('checkbox', { name: partner }).check();
    }
    await page.getByLabel('Derived from a partner’s material').check();
    await page.getByLabel('Originator', { exact: true }).fill('Europol EC3');
    await page.getByLabel('Label it came with').selectOption('TLP:AMBER+STRICT');
    const reference = 'E-mail from the EC3 duty desk, 2026-11-20';
    await page.getByLabel('Consent reference').fill(reference);
    // A reference that names nobody is a problem on the consent's audience, before anything is sent.
    const agreed = page.getByRole('group', { name: 'Audience the originator agreed to' });
    const missing = 'Choose whom the originator agreed to share with, or clear the consent reference.';
    await shows(agreed, missing);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('link', { name: `Audience the originator agreed to: ${missing}` }).waitFor();
    await agreed.getByLabel('Search organisations').fill('cert');
    await agreed.getByRole('checkbox', { name: /^CERT-FR/ }).check();

    const engine = await enginePreview({
      tlp: 'TLP:AMBER+STRICT',
      audience: { organisations: [certFr.id, gendarmerie.id] },
      provenance: {
        originator: 'Europol EC3',
        label: 'TLP:AMBER+STRICT',
        consent: { audience: { organisations: [certFr.id] }, reference },
      },
    });
    const of = (organisation: string) => engine.decisions.filter((d) => d.organisation === organisation);
    expect(of('CERT-FR').some((d) => d.allow && d.reason.includes(reference))).toBe(true);
    expect(of('Gendarmerie C3N').length).toBeGreaterThan(0);
    expect(of('Gendarmerie C3N').every((d) => !d.allow && d.reason.includes('may not leave the team'))).toBe(true);
    await settled();
    await shows(status(), `${engine.summary.allowed} of ${engine.summary.channels} channels will receive it`);
    expect(await agreed.textContent()).not.toContain(missing);
    expect(await page.getByRole('heading', { name: /^The item was not submitted/ }).count()).toBe(0);
    for (const decision of [...of('CERT-FR'), ...of('Gendarmerie C3N')]) {
      const text = (await previewRow(page, decision).textContent())!;
      expect(text).toContain(decision.reason);
      expect(text).toContain(decision.allow ? 'allowed' : 'withheld');
    }
    await expectAccessible(page, 'compose-consent');
    await page.getByRole('group', { name: 'Consent of the originator' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'compose-consent');
    expect(tab.breaches).toEqual([]);
  });
});
