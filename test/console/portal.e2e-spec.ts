import { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from '../support/broker';
import {
  ConsoleTab,
  createAccount,
  expectAccessible,
  fieldErrorOf,
  launchBrowser,
  openConsole,
  portalAccount,
  screenshot,
  signIn,
  StaffAccount,
} from '../support/browser';
import { registerContact, registerPartner, TestContact, TestPartner } from '../support/partners';

interface StoredReport {
  sender_proof: string;
  organisation_id: string;
  sender_contact_id: string | null;
  reporter_user_id: string | null;
  entered_by: string | null;
  tlp: string;
  report_kind: string;
  report: Record<string, unknown>;
  indicators: { type: string; value: string }[];
}

async function stored(broker: TestBroker, reference: string): Promise<StoredReport> {
  const [row]: StoredReport[] = await broker.db.query(
    `SELECT sender_proof, organisation_id, sender_contact_id, reporter_user_id, entered_by, tlp, report_kind,
            report, indicators
       FROM submissions WHERE reference = $1`,
    [reference],
  );
  return row;
}

/** The reference the page shows once the report is sent, and whether focus was moved to it. */
async function sentReference(page: Page, lead: string, tail: string): Promise<string> {
  const line = page.getByTestId('report-reference');
  await line.waitFor();
  const text = ((await line.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const match = new RegExp(`^${lead} (PJ-\\d{4}-\\d{6}) — ${tail}$`).exec(text);
  expect(match, text).not.toBeNull();
  expect(await page.evaluate<boolean>("document.activeElement?.classList.contains('portal-receipt') === true")).toBe(
    true,
  );
  return match![1];
}

/**
 * The reporters' portal: an administrator gives a constituent's contact a portal account, the
 * reporter signs in (enrolling an authenticator), sees the reporting forms and its own reports
 * only, and sends an incident report; an analyst enters a report taken by phone.
 */
describe('the reporters’ portal in the console', () => {
  let broker: TestBroker;
  let browser: Browser;
  let adminTab: ConsoleTab;
  let admin: StaffAccount;
  let analyst: StaffAccount;
  let unit: TestPartner;
  let camille: TestContact;
  const reporter = portalAccount('camille');
  let reference = '';

  beforeAll(async () => {
    [broker, browser] = await Promise.all([startBroker({ dispatcher: false }), launchBrowser()]);
    [admin, analyst] = await Promise.all([
      createAccount(broker, 'alice', ['admin']),
      createAccount(broker, 'ana', ['analyst']),
    ]);
    unit = await registerPartner(broker.url, broker.adminKey, {
      name: 'Brigade numérique',
      relation: 'constituent',
      kind: 'lea',
    });
    camille = await registerContact(broker.url, broker.adminKey, unit.id, 'Camille Martin');
    adminTab = await openConsole(browser, broker);
    await signIn(adminTab.page, admin);
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
  });

  it('lets an administrator give a contact portal access, the API’s refusal shown on its field', async () => {
    const page = adminTab.page;
    await page.goto(`/console/partners/${unit.id}`);
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Camille Martin' }) });
    await row.getByText('No portal account').waitFor();
    await row.getByRole('button', { name: 'Give portal access (Camille Martin)' }).click();
    const name = row.getByLabel('Sign-in name');
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe(`portal-name-${camille.id}`);
    await name.fill(reporter.name);
    await row.getByLabel('First password').fill('too short');
    await row.getByRole('button', { name: 'Create the account' }).click();
    expect(await fieldErrorOf(page, row.getByLabel('First password'))).toMatch(/password must be 12 to \d+ characters/);
    await expectAccessible(page, 'portal-access-refused');

    await row.getByLabel('First password').fill(reporter.password);
    await row.getByRole('button', { name: 'Create the account' }).click();
    await row
      .getByRole('status')
      .filter({ hasText: 'Camille Martin can now sign in as “camille” to report incidents' })
      .waitFor();
    await row.getByText('Portal account “camille” (authenticator enrolled at the first sign-in)').waitFor();
    await expectAccessible(page, 'portal-access-given');
  });

  it('signs the reporter in to its reports, with the portal’s navigation only', async () => {
    const { page } = await openConsole(browser, broker);
    await signIn(page, reporter);
    await page.getByRole('heading', { level: 1, name: 'My reports' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/reports');
    const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    expect(await links.allTextContents()).toEqual(['Report an incident', 'Ask for support', 'My reports']);
    await page.getByRole('status').filter({ hasText: 'No report yet.' }).waitFor();
    await expectAccessible(page, 'portal-my-reports-empty');

    // A team member's screen, typed in the address bar, is not the portal's: back to its reports.
    await page.goto(`${broker.url}/console/items`);
    await page.getByRole('heading', { level: 1, name: 'My reports' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/reports');

    await reportIncident(page);
    await expectAccessible(page, 'portal-report-sent');
    await screenshot(page, 'portal-report-sent');
    const row = await stored(broker, reference);
    expect(row).toMatchObject({
      sender_proof: 'portal',
      organisation_id: unit.id,
      sender_contact_id: camille.id,
      entered_by: null,
      tlp: 'TLP:AMBER',
      report_kind: 'investigation-incident',
    });
    expect(row.report).toMatchObject({ incidentAt: '2026-11-30T22:15:00+01:00', urgency: 'high' });
    expect(row.indicators).toEqual(
      expect.arrayContaining([
        { type: 'url', value: 'https://evil.example/pay' },
        { type: 'ipv4', value: '198.51.100.7' },
      ]),
    );

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My reports' }).click();
    const listed = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: reference }) });
    await listed.waitFor();
    expect((await listed.getByRole('cell').allTextContents()).slice(0, 2)).toEqual([
      'Incident related to an on-going investigation',
      'Ransomware at a town hall',
    ]);
    expect(await listed.getByRole('cell').last().textContent()).toBe('Received');
    await expectAccessible(page, 'portal-my-reports');
    await screenshot(page, 'portal-my-reports');
  });

  /** Fills in the incident form (first with what the form and then the API refuse), sends it, and keeps its reference. */
  async function reportIncident(page: Page) {
    await page.getByRole('link', { name: 'Report an incident' }).click();
    await page.getByRole('heading', { level: 1, name: 'Report an incident' }).waitFor();
    await page.getByRole('button', { name: 'Send the report' }).click();
    const summary = page.getByRole('heading', { name: /^The report was not sent: 7 problems$/ });
    await summary.waitFor();
    expect(await page.evaluate<string>('document.activeElement?.className')).toBe('compose-error-summary');
    expect(await fieldErrorOf(page, page.getByLabel('Case reference'))).toBe('Fill this in.');

    await page.getByLabel('Title', { exact: true }).fill('Ransomware at a town hall');
    await page.locator('input[name="compose-tlp"][value="TLP:AMBER"]').check();
    await page.getByLabel('Case reference').fill('PJ-2026-17');
    await page.getByLabel('Investigating unit').fill('Brigade numérique, Rennes');
    await page.getByLabel('Incident date and time').fill('2026-11-30T22:15');
    await page.getByText(/^Read as 30 Nov 2026, 22:15 /).waitFor();
    await page.getByLabel('Victim type').selectOption({ label: 'A public body' });
    const observables = page.getByRole('textbox', { name: /^Observables/ });
    await observables.fill(`hxxps://evil[.]example/pay\n198.51.100[.]7\n${'x'.repeat(2_100)}`);
    const readings = page.getByRole('table', { name: 'Each observable line and the indicator read from it' });
    expect(await readings.getByRole('cell').allTextContents()).toEqual([
      'url https://evil.example/pay',
      'ipv4 198.51.100.7',
      'Not recognised: kept as written',
    ]);
    await page.getByLabel('Description').fill('Files encrypted overnight; the ransom note names a payment site.');
    await page.getByLabel('Urgency').selectOption({ label: 'High' });
    await expectAccessible(page, 'portal-report-incident');
    await screenshot(page, 'portal-report-incident');

    // Over 2048 characters: the API names the observables, shown on their field.
    await page.getByRole('button', { name: 'Send the report' }).click();
    expect(await fieldErrorOf(page, observables)).toContain('each observable must be 1 to 2048 characters long');
    await page.getByRole('heading', { name: 'The report was not sent: one problem' }).waitFor();
    await observables.fill('hxxps://evil[.]example/pay\n198.51.100[.]7');
    await page.getByRole('button', { name: 'Send the report' }).click();
    reference = await sentReference(page, 'Your reference:', 'quote it in any exchange');
  }

  it('lets an analyst enter a report taken by phone, from an organisation and its contact', async () => {
    const { page } = await openConsole(browser, broker);
    await signIn(page, analyst);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Phone report' }).click();
    await page.getByRole('heading', { level: 1, name: 'Report taken by phone' }).waitFor();
    await page.getByLabel('Request for technical support').check();
    await page.getByLabel('Title', { exact: true }).fill('Seized phone to unlock');
    await page.locator('input[name="compose-tlp"][value="TLP:GREEN"]').check();
    await page.getByLabel('Topic').fill('Mobile forensics');
    await page.getByLabel('Description').fill('A locked handset seized this morning; the unit asks how to proceed.');
    await page.getByRole('button', { name: 'Send the report' }).click();
    const organisation = page.getByLabel('Organisation the report came from');
    expect(await fieldErrorOf(page, organisation)).toBe('Fill this in.');

    await organisation.selectOption({ label: 'Brigade numérique' });
    await page
      .getByLabel('Contact who called')
      .selectOption({ label: 'Camille Martin (camille.martin@contact.example)' });
    await expectAccessible(page, 'phone-report');
    await screenshot(page, 'phone-report');
    await page.getByRole('button', { name: 'Send the report' }).click();
    const phoned = await sentReference(page, 'Reference:', 'give it to the caller');
    expect(phoned).not.toBe(reference);
    await expectAccessible(page, 'phone-report-sent');
    const row = await stored(broker, phoned);
    expect(row).toMatchObject({
      sender_proof: 'staff',
      organisation_id: unit.id,
      sender_contact_id: camille.id,
      reporter_user_id: null,
      tlp: 'TLP:GREEN',
      report_kind: 'support-request',
    });
    expect(row.entered_by).not.toBeNull();
  });
});
