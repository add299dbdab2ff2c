import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from '../support/broker';

/** What the browser is told it may load on a console page. */
function directives(header: string | null): Map<string, string> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name, values.join(' ')]),
  );
}

describe('the console as the API serves it', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ dispatcher: false });
  });

  afterAll(async () => {
    await broker.close();
  });

  it('serves its page under /console with a strict Content-Security-Policy and no inline script', async () => {
    const response = await fetch(`${broker.url}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it('answers its page for the console routes a browser opens directly', async () => {
    for (const path of ['/console', '/console/items/5b1f0b44-0d5a-4b0e-9d6e-1b8f0f1f2a3c', '/console/partners/keys']) {
      const response = await fetch(`${broker.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).toContain('<div id="root"></div>');
    }
  });

  it('serves every script and style the page names, cached for good, and 404 for a file it does not have', async () => {
    const html = await (await fetch(`${broker.url}/console/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((match) => match[1]);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const response = await fetch(`${broker.url}${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('cache-control'), asset).toContain('immutable');
      expect(response.headers.get('content-security-policy'), asset).toContain("default-src 'none'");
    }
    const script = assets.find((asset) => asset.endsWith('.js'))!;
    const compressed = await fetch(`${broker.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(compressed.headers.get('content-encoding')).toBe('gzip');
    expect((await compressed.text()).length).toBeGreaterThan(1000);
    const missing = await fetch(`${broker.url}/console/assets/index-missing.js`);
    expect(missing.status).toBe(404);
  });

  it('leaves the API routes to the API', async () => {
    const response = await fetch(`${broker.url}/items`);
    expect(response.status).toBe(401);
  });
});
