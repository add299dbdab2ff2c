import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { eventually, http } from '../support/http';
import { newKeyPair, postOrganisation, registerPartner, TestPartner } from '../support/partners';
import { Peer, pushSettings, ReceivedMail, startMailPeer } from '../support/peers';

const REPORT = {
  kind: 'investigation-incident',
  title: 'Phishing kit impersonating the police',
  tlp: 'amber',
  pap: 'PAP:GREEN',
  caseReference: 'PJ-CYBER-2026-0042',
  investigatingUnit: 'Section de recherches de Lyon',
  incidentAt: '2026-11-30T22:15:00+01:00',
  victimType: 'public-body',
  observables: ['hxxp://login-police[.]example/form', '198.51.100[.]7'],
  description: 'Town hall staff received a link to the kit by e-mail.',
  urgency: 'high',
};

/** A hostile attachment: the console must only ever offer it as a download. */
const ATTACHMENT = Buffer.from('<html><body><script>document.title="pwned"</script><img src=x></body></html>');

interface Received {
  id: string;
  reference: string;
}

/** Waits until `locator` (or one of what it finds) shows `text`. */
async function shows(locator: Locator, text: string | RegExp, timeout = 15_000): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

/** The inbox row headed by `reference`. */
function rowOf(page: Page, reference: string): Locator {
  return page
    .getByRole('table', { name: 'Submissions, newest first' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: reference, exact: true }) });
}

/** The text of the element that has the focus. */
function focused(page: Page): Promise<string> {
  return page.locator(':focus').innerText();
}

/**
 * The triage inbox in the console against a whole broker: a constituent's tool sends a report (with
 * an attachment), a peer CERT signed material carrying no label; an analyst sees both in words,
 * confirms the unlabelled one's label with the source, replies to the peer (acknowledged over its
 * e-mail route), drafts an item and publishes it, downloads the report's attachment (never shown in
 * the page), is refused a reply to the constituent (no e-mail route), and closes the report as a
 * duplicate. New arrivals show up, and are announced, by themselves.
 */
describe('the triage inbox in the console', () => {
  const mails: ReceivedMail[] = [];
  let mail: Peer;
  let broker: TestBroker;
  let browser: Browser;
  let constituent: TestPartner;
  let peer: { feedKey: string; privateKey: openpgp.PrivateKey };
  let analyst: StaffAccount;
  let tab: ConsoleTab;
  let report: Received;
  let signed: Received;

  const signedBy = async (text: string) =>
    openpgp.sign({ message: await openpgp.createCleartextMessage({ text }), signingKeys: peer.privateKey });

  const submit = async (text: string): Promise<Received> => {
    const answer = await http(broker.url, 'POST', '/submissions', {
      key: peer.feedKey,
      json: { message: await signedBy(text) },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body;
  };

  beforeAll(async () => {
    mail = await startMailPeer(mails);
    [broker, browser] = await Promise.all([startBroker({ env: pushSettings(mail) }), launchBrowser()]);
    const keys = await newKeyPair('Peer CERT', 'soc@peer-cert.example');
    const registered = await postOrganisation(broker.url, broker.adminKey, 'Peer CERT', keys.publicArmored, {
      channels: [
        { kind: 'feed', scopes: ['feed', 'submit'] },
        { kind: 'email', address: 'soc@peer-cert.example' },
      ],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    peer = { feedKey: registered.body.channels[0].apiKey, privateKey: keys.privateKey };
    constituent = await registerPartner(broker.url, broker.adminKey, {
      name: 'Gendarmerie Cyber Unit',
      kind: 'lea',
      relation: 'constituent',
      communities: ['gendarmerie'],
    });
    const posted = await http(broker.url, 'POST', '/reports', { key: constituent.feedKey, json: REPORT });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    report = posted.body;
    // The ways in that carry attachments (the mailbox, TAXII) have their own tests: this one is stored as they store it.
    await broker.db.query(
      `INSERT INTO submission_attachments (submission_id, position, filename, media_type, size_bytes, sha256, content)
       VALUES ($1, 0, 'kit-sample.html', 'text/html', $2, $3, $4)`,
      [report.id, ATTACHMENT.length, createHash('sha256').update(ATTACHMENT).digest('hex'), ATTACHMENT],
    );
    signed = await submit('Skimmers found at fuel stations\nIPs: 203.0.113.9');
    analyst = await createAccount(broker, 'alice', ['analyst']);
    tab = await openConsole(browser, broker);
    await signIn(tab.page, analyst);
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    await mail?.close();
  });

  it('lists both, newest first, with their sender, proof, label and contents in words', async () => {
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    const rows = page.getByRole('table', { name: 'Submissions, newest first' }).getByRole('rowheader');
    await shows(rows, signed.reference);
    expect(await rows.allTextContents()).toEqual([signed.reference, report.reference]);

    const unlabelled = rowOf(page, signed.reference);
    await expect(unlabelled.textContent()).resolves.toContain('TLP:AMBER (assumed — confirm with the source)');
    const cells = (await unlabelled.getByRole('cell').allTextContents()).map((text) => text.trim());
    expect(cells.slice(1)).toEqual([
      'API',
      'Peer CERT',
      'verified by signature',
      'TLP:AMBER (assumed — confirm with the source)',
      'Skimmers found at fuel stations',
      'none',
      '1 indicator0 attachments',
      'received',
    ]);
    const form = (await rowOf(page, report.reference).getByRole('cell').allTextContents()).map((text) => text.trim());
    expect(form.slice(1)).toEqual([
      'form',
      'Gendarmerie Cyber Unit',
      'verified by partner credential',
      'TLP:AMBER PAP:GREEN',
      REPORT.title,
      'none',
      '2 indicators1 attachment',
      'received',
    ]);
    await expectAccessible(page, 'inbox');
    await screenshot(page, 'inbox');
  });

  it('shows what arrives while it is open, and announces it', async () => {
    const { page } = tab;
    const late = await submit('Phishing wave over, nothing more seen\nTLP:CLEAR');
    await shows(page.getByRole('status'), `A new submission arrived: ${late.reference}.`);
    await expect(rowOf(page, late.reference).textContent()).resolves.toContain('TLP:CLEAR');
  });

  it('reads in French too', async () => {
    const { page } = tab;
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { level: 1, name: 'Réception' }).waitFor();
    const row = page
      .getByRole('table', { name: 'Signalements, du plus récent au plus ancien' })
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: signed.reference, exact: true }) });
    await expect(row.textContent()).resolves.toContain('TLP:AMBER (supposé — à confirmer avec la source)');
    await page.getByLabel('Langue').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
  });

  it('confirms the unlabelled one’s label with the source before an item can be drafted', async () => {
    const { page } = tab;
    await rowOf(page, signed.reference).getByRole('link', { name: signed.reference }).click();
    await page
      .getByRole('heading', { level: 1, name: `${signed.reference}: Skimmers found at fuel stations` })
      .waitFor();
    const content = page.getByRole('region', { name: 'Content', exact: true });
    await shows(content, 'IPs: 203.0.113.9');
    await expect(
      page.getByRole('table', { name: 'Indicators found in it (1), refanged' }).getByRole('cell').textContent(),
    ).resolves.toBe('203.0.113.9');
    await expect(page.getByRole('region', { name: 'Sender', exact: true }).textContent()).resolves.toMatch(
      /An OpenPGP signature by key [0-9A-Fa-f ]+, registered for Peer CERT\./,
    );
    const draftButton = page.getByRole('button', { name: 'Draft an item…' });
    await expect(draftButton.isDisabled()).resolves.toBe(true);
    await shows(page.locator('#triage-draft-refused'), 'Confirm its label with the source first.');
    await expectAccessible(page, 'submission with an assumed label');
    await screenshot(page, 'inbox-submission-assumed');

    await page.getByRole('radio', { name: 'TLP:GREEN' }).check();
    await page.getByRole('radio', { name: 'PAP:GREEN' }).check();
    await page.getByRole('button', { name: 'Confirm label' }).click();
    await shows(page.getByRole('status'), 'Label confirmed: TLP:GREEN, PAP:GREEN.');
    expect(await focused(page)).toBe('Label confirmed: TLP:GREEN, PAP:GREEN.');
    await page.getByText('(assumed — confirm with the source)').waitFor({ state: 'detached' });
  });

  it('replies to the verified sender over its e-mail route, and lists the reply with the acknowledgement', async () => {
    const { page } = tab;
    const sentBack = page.getByRole('table', { name: 'Acknowledgement and replies, oldest first' });
    await shows(sentBack.getByRole('row'), /acknowledgement.*soc@peer-cert\.example/);
    await shows(page.locator('#reply-body-hint'), 'It goes to Peer CERT <soc@peer-cert.example>, encrypted to key');
    await page.getByLabel('Reply', { exact: true }).fill('Thank you. Which stations, and since when?');
    await page.getByRole('button', { name: 'Queue the reply' }).click();
    await shows(page.getByRole('status'), 'Reply queued to Peer CERT <soc@peer-cert.example>');
    expect(await focused(page)).toContain('Reply queued to Peer CERT');
    await shows(sentBack.getByRole('row').filter({ hasText: 'reply' }), /queued|sent/);
    await shows(sentBack.getByRole('row').filter({ hasText: 'reply' }), 'sent', 20_000);
    await eventually(async () => mails.length >= 2 || undefined, 10_000, 100, 'the acknowledgement and the reply');
  });

  it('drafts an item from it, its title prefilled', async () => {
    const { page } = tab;
    const draftButton = page.getByRole('button', { name: 'Draft an item…' });
    await draftButton.click();
    await expect(page.getByLabel('Title', { exact: true }).inputValue()).resolves.toBe(
      'Skimmers found at fuel stations',
    );
    await page.getByLabel('Summary (optional)').fill('Card skimmers found at fuel stations.');
    await page.getByRole('checkbox', { name: /eu-csirt/ }).check();
    await expectAccessible(page, 'submission, drafting an item');
    await screenshot(page, 'inbox-draft-item');
    await page.getByRole('button', { name: 'Draft the item' }).click();
    await page.waitForURL(/\/console\/items\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { level: 1, name: 'Skimmers found at fuel stations' }).waitFor();
    await shows(page.locator('.item-facts'), 'draft');
  });

  it('publishes the draft from its page', async () => {
    const { page } = tab;
    await page.getByRole('button', { name: 'Publish…' }).click();
    await shows(page.getByText(/Publish the draft "Skimmers found at fuel stations" \(TLP:GREEN\)/), 'as it stands');
    await page.getByRole('button', { name: 'Yes, publish it' }).click();
    await shows(page.getByRole('status'), 'Published: it is being routed to its recipients.');
    await shows(page.locator('.item-facts'), 'published');
    await screenshot(page, 'inbox-item-published');
    const listed = await http(broker.url, 'GET', `/submissions/${signed.id}`, { key: broker.analystKey });
    expect(listed.body).toMatchObject({ tlp: 'TLP:GREEN', pap: 'PAP:GREEN', reportStatus: 'item-published' });
  });

  it("offers the report's attachment as a download only, and shows the form's fields", async () => {
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await shows(rowOf(page, signed.reference), 'item published');
    await rowOf(page, report.reference).getByRole('link', { name: report.reference }).click();
    await page.getByRole('heading', { level: 1, name: `${report.reference}: ${REPORT.title}` }).waitFor();
    const fields = page.getByRole('region', { name: 'Content', exact: true });
    await shows(fields, 'PJ-CYBER-2026-0042');
    await shows(fields, 'a public body');
    await expect(page.locator('main img, main iframe, main object, main embed').count()).resolves.toBe(0);
    const link = page.getByRole('link', { name: 'Download kit-sample.html' });
    expect(await link.getAttribute('href')).toBe(`/submissions/${report.id}/attachments/${await attachmentId()}`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('kit-sample.html');
    expect(await readFile((await download.path())!)).toEqual(ATTACHMENT);
    await expectAccessible(page, 'submission from a form');
    await screenshot(page, 'inbox-report');
  });

  it('offers no reply to a sender with no e-mail route, and says why beside the field', async () => {
    const { page } = tab;
    const reply = page.getByLabel('Reply', { exact: true });
    await shows(page.locator('#reply-body-hint'), 'the sender has no active e-mail route with a usable key');
    await expect(reply.isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Queue the reply' }).isDisabled()).resolves.toBe(true);
  });

  it('closes the report as a duplicate, after a confirmation', async () => {
    const { page } = tab;
    await page.getByRole('button', { name: 'Close…' }).click();
    await page.getByRole('radio', { name: /^duplicate/ }).check();
    await page.getByRole('button', { name: 'Close this submission…' }).click();
    await shows(page.getByText(`Close ${report.reference} as duplicate?`), 'cannot be reopened');
    await page.getByRole('button', { name: 'Yes, close it' }).click();
    await shows(page.getByRole('status'), 'Closed as duplicate.');
    expect(await focused(page)).toBe('Closed as duplicate.');
    await shows(page.locator('.item-facts'), 'closed (duplicate)');
    await shows(page.getByRole('region', { name: 'Audit trail', exact: true }), 'submission.closed');

    await page.getByRole('link', { name: '← Back to the inbox' }).click();
    await page.getByLabel('Triage state').selectOption('closed');
    await shows(rowOf(page, report.reference), 'closed (duplicate)');
    await expect(page.getByRole('rowheader').allTextContents()).resolves.toEqual([report.reference]);
    expect(tab.breaches).toEqual([]);
  });

  /** The id of the report's attachment, as the API lists it. */
  async function attachmentId(): Promise<string> {
    const detail = await http(broker.url, 'GET', `/submissions/${report.id}`, { key: broker.analystKey });
    return detail.body.attachments[0].id;
  }
});
