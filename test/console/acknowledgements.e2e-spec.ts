import { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from '../support/broker';
import { ConsoleTab, createAccount, expectAccessible, launchBrowser, openConsole, signIn } from '../support/browser';
import { http } from '../support/http';
import { publishItem, waitForRouting } from '../support/items';
import { registerPartner, TestPartner } from '../support/partners';

/** The item page shows, per recipient organisation of an urgent item, who acknowledged it and who is awaited. */
describe('acknowledgements in the console', () => {
  let broker: TestBroker;
  let browser: Browser;
  let tab: ConsoleTab;
  let ec3: TestPartner;
  let interpol: TestPartner;

  beforeAll(async () => {
    [broker, browser] = await Promise.all([startBroker(), launchBrowser()]);
    ec3 = await registerPartner(broker.url, broker.adminKey, { name: 'Europol EC3', relation: 'peer' });
    interpol = await registerPartner(broker.url, broker.adminKey, { name: 'Interpol IGCI', relation: 'peer' });
    tab = await openConsole(browser, broker);
    await signIn(tab.page, await createAccount(broker, 'alice', ['analyst']));
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
  });

  it('lists each recipient with when it was delivered, who acknowledged it and how, or that it waits', async () => {
    const alert = await publishItem(broker.url, broker.analystKey, {
      type: 'alert',
      title: 'Imminent takedown',
      tlp: 'TLP:AMBER',
      severity: 'critical',
      audience: { organisations: [ec3.id, interpol.id] },
    });
    const decisions = await waitForRouting(broker.url, broker.analystKey, alert.id);
    const ec3Delivery = decisions.find((d) => d.organisationId === ec3.id && d.allow)!.delivery!.id;
    expect((await http(broker.url, 'POST', `/feed/${ec3Delivery}/ack`, { key: ec3.feedKey })).status).toBe(200);

    const page = tab.page;
    await page.goto(`/console/items/${alert.id}`);
    const table = page.getByRole('table', { name: 'Acknowledgement by each recipient organisation' });
    await table.waitFor();
    await page.getByText('1 acknowledged, 1 waiting.').waitFor();
    const ec3Row = table.getByRole('row', { name: /Europol EC3/ });
    expect(await ec3Row.innerText()).toContain('Europol EC3 (its feed channel)');
    expect(await ec3Row.innerText()).toContain('feed API');
    const interpolRow = table.getByRole('row', { name: /Interpol IGCI/ });
    expect(await interpolRow.innerText()).toMatch(/0 min/);
    expect(await interpolRow.innerText()).toMatch(/none yet; next at/);
    await expectAccessible(page, 'item acknowledgements');
    expect(tab.breaches).toEqual([]);
  });
});
