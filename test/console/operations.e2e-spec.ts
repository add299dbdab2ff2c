import { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually } from '@tlp-broker/harness';
import { countRows, startBroker, TestBroker } from '../support/broker';
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
import { publishItem } from '../support/items';
import { newKeyPair, postOrganisation } from '../support/partners';
import { Peer, startWebhookPeer } from '../support/peers';

interface Delivery {
  id: string;
  itemId: string;
  state: string;
}

/** The cells of the queue row named `queue`, by column header. */
async function queueRow(page: Page, queue: string): Promise<Record<string, string>> {
  const table = page.getByRole('table', { name: 'Jobs in each queue (refreshed every 5 seconds)' });
  const headers = (await table.getByRole('columnheader').allTextContents()).map((text) => text.trim());
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: queue, exact: true }) });
  const cells = (await row.getByRole('cell').allTextContents()).map((text) => text.trim());
  return Object.fromEntries(headers.slice(1).map((header, index) => [header, cells[index]]));
}

/** Waits until `check` holds for what the page shows, without reloading it. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  await eventually(async () => (await check()) || undefined, timeoutMs, 250, what);
}

/**
 * The operations screen against a whole broker: a partner's webhook answers 500 until the test
 * fixes it, so a delivery dies after its attempts; the administrator sees it in the dead-letter
 * list with its last error, retries it, and watches the queue depths change without reloading.
 */
describe('operations in the console', () => {
  let broker: TestBroker;
  let browser: Browser;
  let hooks: Peer;
  let tab: ConsoleTab;
  let admin: StaffAccount;
  let failing = true;
  let dead: Delivery;

  beforeAll(async () => {
    hooks = await startWebhookPeer((_request, _body, response) => response.writeHead(failing ? 500 : 200).end());
    [broker, browser] = await Promise.all([
      startBroker({ env: { WEBHOOK_ALLOW_LIST: '127.0.0.1', DELIVERY_ATTEMPTS: '2', DELIVERY_BACKOFF_MS: '50' } }),
      launchBrowser(),
    ]);
    const keys = await newKeyPair('Flaky CERT', 'soc@flaky-cert.example');
    const registered = await postOrganisation(broker.url, broker.adminKey, 'Flaky CERT', keys.publicArmored, {
      channels: [{ kind: 'webhook', address: `${hooks.url}/in` }],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const item = await publishItem(broker.url, broker.analystKey, {
      title: 'Flaky advisory',
      tlp: 'TLP:GREEN',
      audience: { communities: ['eu-csirt'] },
    });
    dead = await eventually(async () =>
      (await call<Delivery[]>(broker.url, 'GET', '/deliveries?state=dead', { key: broker.adminKey })).find(
        (delivery) => delivery.itemId === item.id,
      ),
    );
    admin = await createAccount(broker, 'olga', ['admin']);
    tab = await openConsole(browser, broker);
    await signIn(tab.page, admin);
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    await hooks?.close();
  });

  const deadTable = (page: Page): Locator => page.getByRole('table', { name: 'Dead deliveries, most recent first' });

  it('shows the queue depths and the dead delivery with its last error', async () => {
    const page = tab.page;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();
    await page.getByRole('table', { name: 'Jobs in each queue (refreshed every 5 seconds)' }).waitFor();
    const routing = await queueRow(page, 'Routing');
    expect(Object.keys(routing)).toEqual(['Waiting', 'Active', 'Delayed', 'Failed', 'Completed', 'Paused']);
    expect(Number(routing.Completed)).toBeGreaterThanOrEqual(1);
    expect((await queueRow(page, 'Delivery')).Failed).toBe('1');
    await page.getByText(/^All queues: \d+ waiting, \d+ active, \d+ delayed, 1 failed, 0 paused\.$/).waitFor();

    await page.getByText('1 dead delivery.').waitFor();
    const row = deadTable(page).getByRole('row').filter({ hasText: 'Flaky CERT' });
    const cells = (await row.getByRole('cell').allTextContents()).map((text) => text.trim());
    expect(cells.slice(0, 3)).toEqual(['Flaky CERT', 'webhook', '2']);
    expect(cells[3]).toMatch(/500/);
    expect(cells[4]).toMatch(/\d{4}, \d{2}:\d{2} (CET|CEST)$/);
    expect((await row.getByRole('rowheader').textContent())!.trim()).toBe('advisory, version 1 TLP:GREEN');
    await expectAccessible(page, 'operations');
    await screenshot(page, 'operations');
  });

  it('retries the dead delivery once the partner is fixed: it leaves the list and the queues show it sent', async () => {
    const page = tab.page;
    failing = false;
    const completedBefore = Number((await queueRow(page, 'Delivery')).Completed);
    await deadTable(page)
      .getByRole('row')
      .filter({ hasText: 'Flaky CERT' })
      .getByRole('button', { name: /^Retry/ })
      .click();
    await page.getByText('No dead delivery.').waitFor();
    expect(await deadTable(page).count()).toBe(0);
    await eventually(
      async () =>
        (await call<Delivery>(broker.url, 'GET', `/deliveries/${dead.id}`, { key: broker.adminKey })).state ===
        'delivered',
    );
    // Refreshed every 5 seconds, without reloading the page.
    await until('the delivery queue shows the job sent', async () => {
      const delivery = await queueRow(page, 'Delivery');
      return delivery.Failed === '0' && Number(delivery.Completed) === completedBefore + 1;
    });
  });

  it('verifies the audit trail on request and says it is intact', async () => {
    const page = tab.page;
    await page.getByRole('button', { name: 'Verify now' }).click();
    const verdict = page.getByText(/^The audit trail is intact: \d+ events checked, \d+ signed checkpoints checked\.$/);
    await verdict.waitFor();
    const events = Number(/intact: (\d+) events/.exec((await verdict.textContent())!)![1]);
    expect(events).toBe(await countRows(broker, 'SELECT count(*) FROM audit_events'));
    expect(events).toBeGreaterThan(0);
    await expectAccessible(page, 'operations-audit');
    await screenshot(page, 'operations-audit');
    expect(tab.breaches).toEqual([]);
  });
});
