import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { call, totpCode } from '@tlp-broker/harness';
import type { Role } from '@tlp-broker/domain';
import type { TestBroker } from './broker';

/** Screenshots and accessibility results of the console tests, kept as test output. */
export const CONSOLE_OUTPUT = join(__dirname, '..', '..', 'test-output', 'console');

const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

/** The system's Chromium (Debian's `chromium` package), headless; no browser is downloaded. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = CHROMIUM_PATHS.find((path) => existsSync(path));
  if (!executablePath) throw new Error('Chromium is not installed: apt-get install chromium');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
}

export interface ConsoleTab {
  readonly page: Page;
  /** Content-Security-Policy violations and requests to other hosts seen so far: the tests expect none. */
  readonly breaches: string[];
}

/** A fresh browser context (no cookies) on a 1366×768 laptop screen, in English, in Paris. */
export async function openConsole(browser: Browser, broker: TestBroker, language = 'en-GB'): Promise<ConsoleTab> {
  const context = await browser.newContext({
    baseURL: broker.url,
    viewport: { width: 1366, height: 768 },
    locale: language,
    timezoneId: 'Europe/Paris',
  });
  const page = await context.newPage();
  const breaches: string[] = [];
  const origin = new URL(broker.url).origin;
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) breaches.push(message.text());
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== origin) breaches.push(`request to ${url.href}`);
  });
  await page.goto('/console/');
  return { page, breaches };
}

/** A team member who signs in with a password (and enrols TOTP on the first sign-in). */
export interface StaffAccount {
  readonly name: string;
  readonly password: string;
  readonly roles: Role[];
  /** Known once enrolled. */
  secret: string | null;
  /** The last TOTP time step used: a code is accepted once. */
  lastStep: number;
}

export async function createAccount(broker: TestBroker, name: string, roles: Role[]): Promise<StaffAccount> {
  const password = `correct horse ${name} battery`;
  await call(broker.url, 'POST', '/users', { key: broker.adminKey, json: { name, roles, password } });
  return { name, password, roles, secret: null, lastStep: 0 };
}

/**
 * A reporter's portal account (a contact's, given by an administrator through
 * POST /organisations/:id/contacts/:contactId/portal-account, in the console or by `createPortalAccount`):
 * it signs in with `signIn` like a team member.
 */
export function portalAccount(name: string): StaffAccount {
  return { name, password: `correct horse ${name} battery`, roles: ['reporter'], secret: null, lastStep: 0 };
}

export async function createPortalAccount(
  broker: TestBroker,
  organisationId: string,
  contactId: string,
  name: string,
): Promise<StaffAccount> {
  const account = portalAccount(name);
  await call(broker.url, 'POST', `/organisations/${organisationId}/contacts/${contactId}/portal-account`, {
    key: broker.adminKey,
    json: { name, password: account.password },
  });
  return account;
}

/** A code for the next unused time step (the broker takes each step once and allows one step of drift). */
export async function nextCode(account: StaffAccount): Promise<string> {
  for (;;) {
    const step = Math.floor(Date.now() / 30_000);
    const usable = [step, step + 1].find((candidate) => candidate > account.lastStep);
    if (usable !== undefined) {
      account.lastStep = usable;
      return totpCode(account.secret!, usable * 30_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Signs in through the sign-in page; on the first sign-in, enrols TOTP from the QR screen's secret. */
export async function signIn(page: Page, account: StaffAccount): Promise<void> {
  await page.goto('/console/');
  await page.getByLabel('Name').fill(account.name);
  await page.getByLabel('Password').fill(account.password);
  if (account.secret) await page.getByLabel('Authentication code').fill(await nextCode(account));
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (!account.secret) {
    const secret = page.getByTestId('totp-secret');
    await secret.waitFor();
    account.secret = (await secret.textContent())!.trim();
    await page.getByLabel('Authentication code').fill(await nextCode(account));
    await page.getByRole('button', { name: 'Confirm' }).click();
  }
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_RESULTS = join(CONSOLE_OUTPUT, 'axe-results.json');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core (WCAG 2.1 A and AA) on the screen as it is and expects no serious or critical
 * violation; every result is appended to test-output/console/axe-results.json.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  // Evaluated through the browser's debugging protocol, so the page's CSP stays on.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations as AxeViolation[];
  });
  recordAxe(screen, violations);
  const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    grave.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
}

function recordAxe(screen: string, violations: AxeViolation[]): void {
  mkdirSync(CONSOLE_OUTPUT, { recursive: true });
  const all: Record<string, { id: string; impact: string | null; nodes: number }[]> = existsSync(AXE_RESULTS)
    ? (JSON.parse(readFileSync(AXE_RESULTS, 'utf8')) as Record<
        string,
        { id: string; impact: string | null; nodes: number }[]
      >)
    : {};
  all[screen] = violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  writeFileSync(AXE_RESULTS, `${JSON.stringify(all, null, 2)}\n`);
}

/** The error shown on a form control once it is marked invalid: the text of the element describing it (`<id>-error`). */
export async function fieldErrorOf(page: Page, control: Locator): Promise<string> {
  await control.and(page.locator('[aria-invalid="true"]')).waitFor();
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ');
  const errorId = ids.find((id) => id.endsWith('-error'));
  expect(errorId, 'the control is described by an error').toBeDefined();
  return (await page.locator(`[id="${errorId}"]`).textContent()) ?? '';
}

/** A screenshot of the screen as the user sees it, kept in test-output/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(CONSOLE_OUTPUT, { recursive: true });
  await page.screenshot({ path: join(CONSOLE_OUTPUT, `${name}.png`) });
}
