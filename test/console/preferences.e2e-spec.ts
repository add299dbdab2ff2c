import { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@tlp-broker/harness';
import { startBroker, TestBroker } from '../support/broker';
import {
  ConsoleTab,
  createAccount,
  expectAccessible,
  launchBrowser,
  nextCode,
  openConsole,
  screenshot,
  signIn,
  StaffAccount,
} from '../support/browser';

/** Presses Tab until the focused element's text or label is `name`; fails after 30 presses. */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let presses = 0; presses < 30; presses += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = (
        globalThis as unknown as { document: { activeElement: { textContent: string; id: string } | null } }
      ).document.activeElement;
      return element ? `${element.textContent?.trim() ?? ''}|${element.id}` : '';
    });
    if (focused.split('|').includes(name)) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

describe('the console in French, in another time zone, and with the keyboard alone', () => {
  let broker: TestBroker;
  let browser: Browser;
  let tab: ConsoleTab;
  let analyst: StaffAccount;

  beforeAll(async () => {
    [broker, browser] = await Promise.all([startBroker({ dispatcher: false }), launchBrowser()]);
    await call(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: { type: 'alert', title: 'Ransomware affiliate infrastructure', body: 'x', tlp: 'TLP:CLEAR' },
    });
    analyst = await createAccount(broker, 'alice', ['analyst']);
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
  });

  it('shows dates in Paris time by default with the zone written out, and in the zone the member picks', async () => {
    tab = await openConsole(browser, broker);
    const { page } = tab;
    await signIn(page, analyst);
    const updated = page
      .getByRole('row')
      .filter({ hasText: 'Ransomware affiliate infrastructure' })
      .getByRole('cell')
      .last();
    await updated.waitFor();
    expect((await updated.textContent())!.trim()).toMatch(/\d{2}:\d{2} (CET|CEST)$/);
    await page.getByLabel('Time zone').selectOption('UTC');
    await expect.poll(async () => (await updated.textContent())!.trim()).toMatch(/\d{2}:\d{2} UTC$/);
  });

  it('switches to French, everywhere, and remembers it after a reload', async () => {
    const { page } = tab;
    await page.getByLabel('Language').selectOption('fr');
    const nav = page.getByRole('navigation', { name: 'Principale' });
    await nav.waitFor();
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Publications',
      'Rédiger',
      'Réception',
      'Signalement téléphonique',
      'Partenaires',
      'Flux des partenaires',
    ]);
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await nav.getByRole('link', { name: 'Rédiger' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).not.toBe('Compose an item');
    await expectAccessible(page, 'compose-fr');
    await screenshot(page, 'compose-fr');
    await page.reload();
    await page.getByRole('navigation', { name: 'Principale' }).waitFor();
    expect(await page.getByLabel('Fuseau horaire').inputValue()).toBe('UTC');
    expect(tab.breaches).toEqual([]);
  });

  it('can be used with the keyboard alone: sign in, skip to the content, open a screen', async () => {
    const keyboard = await openConsole(browser, broker);
    const { page } = keyboard;
    await page.getByRole('heading', { name: 'Sign in to tlp-broker' }).waitFor();
    await tabTo(page, 'sign-in-name');
    await page.keyboard.type(analyst.name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(analyst.password);
    await page.keyboard.press('Tab');
    await page.keyboard.type(await nextCode(analyst));
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.textContent)).toBe('Skip to content');
    await tabTo(page, 'Compose');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Compose an item' }).waitFor();
    await tabTo(page, 'compose-title');
    await page.keyboard.type('Typed without a mouse');
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Typed without a mouse');
    expect(keyboard.breaches).toEqual([]);
  });
});
