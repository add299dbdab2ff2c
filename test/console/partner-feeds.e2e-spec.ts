import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from '../support/broker';
import {
  createAccount,
  expectAccessible,
  fieldErrorOf,
  launchBrowser,
  openConsole,
  screenshot,
  signIn,
} from '../support/browser';
import { registerPartner } from '../support/partners';

/** A partner's MISP feed with no event: manifest.json is `{}`, after one 503 (the partner's server starting up). */
class EmptyMispFeed {
  readonly requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  private readonly server: Server = createServer((request, response) => {
    this.requests.push({ path: request.url ?? '', headers: request.headers });
    if (this.requests.length === 1) {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });

  async start(): Promise<string> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/feed/`;
  }

  stop(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}

const COLUMNS = ['Organisation', 'Kind', 'URL', 'Interval', 'Status', 'Last polled', 'Next poll', 'Last error'];

/** The text of a feed's cell under the column `name`. */
function cell(row: Locator, name: (typeof COLUMNS)[number]): Promise<string | null> {
  return row.getByRole('cell').nth(COLUMNS.indexOf(name)).textContent();
}

async function waitForCell(row: Locator, name: (typeof COLUMNS)[number], pattern: RegExp): Promise<string> {
  const found = row.getByRole('cell').nth(COLUMNS.indexOf(name)).filter({ hasText: pattern });
  await found.waitFor({ timeout: 20_000 });
  return (await found.textContent()) ?? '';
}

/** Adds a feed through the form. */
async function addFeed(page: Page, url: string, authorization = ''): Promise<void> {
  const form = page.getByRole('form', { name: 'Add a partner feed' });
  await form.getByLabel('Organisation').selectOption({ label: 'Europol EC3' });
  await form.getByLabel('Kind').selectOption({ label: 'MISP feed' });
  await form.getByLabel('Name', { exact: true }).fill('EC3 MISP');
  await form.getByLabel('URL', { exact: true }).fill(url);
  await form.getByLabel('Authorization header (optional)').fill(authorization);
  await form.getByLabel('Interval, in seconds').fill('3600');
  await form.getByRole('button', { name: 'Add the feed' }).click();
}

/**
 * Partners' own feeds in the console: an administrator adds a MISP feed (the API refusing a
 * private address on the URL field), sees its first poll fail, polls it now, and changes it.
 */
describe('partner feeds in the console', () => {
  let broker: TestBroker;
  let browser: Browser;
  const feed = new EmptyMispFeed();
  let feedUrl: string;

  beforeAll(async () => {
    [broker, browser, feedUrl] = await Promise.all([
      startBroker({ env: { WEBHOOK_ALLOW_LIST: '127.0.0.1', PARTNER_FEED_CHECK_MS: '100' } }),
      launchBrowser(),
      feed.start(),
    ]);
    await registerPartner(broker.url, broker.adminKey, { name: 'Europol EC3', relation: 'peer', kind: 'lea' });
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    await feed.stop();
  });

  it('adds a MISP feed, polls it now, suspends it and changes its interval', async () => {
    const admin = await createAccount(broker, 'alice', ['admin']);
    const { page } = await openConsole(browser, broker);
    await signIn(page, admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Partner feeds' }).click();
    await page.getByRole('heading', { level: 1, name: 'Partner feeds' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'No partner feed yet.' }).waitFor();
    await expectAccessible(page, 'partner-feeds-empty');

    await addFeed(page, 'https://10.20.30.40/misp/');
    const url = page.getByLabel('URL', { exact: true });
    expect(await fieldErrorOf(page, url)).toMatch(/^refused: 10\.20\.30\.40 is a private address/);
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('feed-url');
    await expectAccessible(page, 'partner-feeds-refused');

    await addFeed(page, feedUrl, 'Bearer partner-secret');
    await page.getByRole('status').filter({ hasText: 'Feed “EC3 MISP” added: its first poll is due now.' }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'EC3 MISP' }) });
    expect(await cell(row, 'Interval')).toBe('every 1 h');
    expect(await cell(row, 'URL')).toBe(`${feedUrl} — sends an Authorization header`);
    expect(await page.content()).not.toContain('partner-secret');
    // The first poll, at once: the partner's server answers 503.
    expect(await waitForCell(row, 'Last error', /503/)).toContain('503');
    expect(feed.requests[0]).toMatchObject({ path: '/feed/manifest.json' });
    expect(feed.requests[0].headers.authorization).toBe('Bearer partner-secret');

    await row.getByRole('button', { name: 'Poll now (EC3 MISP)' }).click();
    await page.getByRole('status').filter({ hasText: 'A poll of “EC3 MISP” was asked for' }).waitFor();
    await waitForCell(row, 'Last error', /^None: the last poll went through$/);
    expect(await cell(row, 'Last polled')).toMatch(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} /);
    expect(feed.requests).toHaveLength(2);
    await expectAccessible(page, 'partner-feeds-polled');
    await screenshot(page, 'partner-feeds');

    await row.getByRole('button', { name: 'Suspend (EC3 MISP)' }).click();
    await waitForCell(row, 'Status', /^Suspended$/);
    expect(await cell(row, 'Next poll')).toBe('When reinstated');
    expect(await row.getByRole('button', { name: 'Poll now (EC3 MISP)' }).isDisabled()).toBe(true);
    await row.getByRole('button', { name: 'Reinstate (EC3 MISP)' }).click();
    await waitForCell(row, 'Status', /^Active$/);

    await row.getByRole('button', { name: 'Change interval (EC3 MISP)' }).click();
    const interval = row.getByLabel('New interval for EC3 MISP, in seconds');
    await interval.fill('5');
    await row.getByRole('button', { name: 'Save' }).click();
    expect(await fieldErrorOf(page, interval)).toBe('intervalSeconds must be at least 10');
    await interval.fill('600');
    await row.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: '“EC3 MISP” is now polled every 10 min.' }).waitFor();
    expect(await cell(row, 'Interval')).toBe('every 10 min');
    await expectAccessible(page, 'partner-feeds-changed');
  });
});
