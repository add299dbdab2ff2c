import { describe, expect, it } from 'vitest';
import { AllowList } from './address-policy';
import { checkWebhookAddress, vetWebhookAddress } from './webhook-address';

const none = new AllowList([]);

describe('checkWebhookAddress', () => {
  it.each([
    ['https://127.0.0.1/hook', /127\.0\.0\.1 is a loopback address, not in WEBHOOK_ALLOW_LIST/],
    ['https://[::1]:8443/hook', /::1 is a loopback address/],
    ['https://10.1.2.3/hook', /private/],
    ['https://192.168.0.10/hook', /private/],
    ['https://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
    ['https://[fe80::1]/hook', /link-local/],
    ['https://[fd00::1]/hook', /unique-local/],
    ['https://0.0.0.0/hook', /an unspecified address/],
    ['https://[::ffff:127.0.0.1]/hook', /loopback/],
    ['https://2130706433/hook', /127\.0\.0\.1 is a loopback address/],
    ['https://0x7f.1/hook', /loopback/],
    ['https://localhost/hook', /localhost always means this machine/],
    ['https://api.localhost./hook', /api\.localhost always means this machine/],
    ['http://hooks.partner.example/in', /must use https/],
    ['ftp://hooks.partner.example/in', /ftp scheme is not a webhook/],
    ['https://user:pass@hooks.partner.example/in', /credentials/],
    ['not a url', /not an absolute URL/],
  ])('refuses %s', (address, reason) => {
    const check = checkWebhookAddress(address, none);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toMatch(reason);
  });

  it('accepts https to a public address or name, normalised', () => {
    expect(checkWebhookAddress('https://hooks.partner.example/in?x=1', none)).toEqual({
      ok: true,
      url: 'https://hooks.partner.example/in?x=1',
    });
    expect(checkWebhookAddress(' https://8.8.8.8/in ', none)).toEqual({ ok: true, url: 'https://8.8.8.8/in' });
    expect(checkWebhookAddress('HTTPS://Hooks.Partner.Example', none)).toEqual({
      ok: true,
      url: 'https://hooks.partner.example/',
    });
  });

  it('accepts what WEBHOOK_ALLOW_LIST allows, over http too', () => {
    expect(checkWebhookAddress('http://127.0.0.1:8080/hook', new AllowList(['127.0.0.1'])).ok).toBe(true);
    expect(checkWebhookAddress('https://10.20.1.2/hook', new AllowList(['10.20.0.0/16'])).ok).toBe(true);
    expect(checkWebhookAddress('http://hooks.soc.internal/in', new AllowList(['hooks.soc.internal'])).ok).toBe(true);
    expect(checkWebhookAddress('https://localhost:8443/in', new AllowList(['127.0.0.0/8'])).ok).toBe(true);
    expect(checkWebhookAddress('https://10.21.1.2/hook', new AllowList(['10.20.0.0/16'])).ok).toBe(false);
  });
});

describe('vetWebhookAddress', () => {
  const resolving = (addresses: string[]) => async () => addresses;

  it('refuses a name that resolves to an address the sender would refuse, naming it', async () => {
    const check = await vetWebhookAddress('https://hooks.partner.example/in', none, {
      resolve: resolving(['203.0.113.5', '10.0.0.7']),
    });
    expect(check).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /hooks\.partner\.example resolves to (203\.0\.113\.5, which is reserved|10\.0\.0\.7, which is private)/,
      ),
    });
    const metadata = await vetWebhookAddress('https://metadata.partner.example/', none, {
      resolve: resolving(['169.254.169.254']),
    });
    expect(metadata.ok ? '' : metadata.reason).toMatch(
      /169\.254\.169\.254, which is link-local and not in WEBHOOK_ALLOW_LIST/,
    );
  });

  it('accepts a name resolving to public addresses, or to allow-listed ones', async () => {
    expect(
      (
        await vetWebhookAddress('https://hooks.partner.example/in', none, {
          resolve: resolving(['8.8.8.8', '2001:4860:4860::8888']),
        })
      ).ok,
    ).toBe(true);
    expect(
      (
        await vetWebhookAddress('https://hooks.partner.example/in', new AllowList(['10.0.0.0/8']), {
          resolve: resolving(['10.0.0.7']),
        })
      ).ok,
    ).toBe(true);
  });

  it('leaves a name that does not resolve, or not in time, to the sender', async () => {
    const failing = async () =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    expect((await vetWebhookAddress('https://not-yet.partner.example/in', none, { resolve: failing })).ok).toBe(true);
    const started = Date.now();
    const hanging = () => new Promise<string[]>(() => undefined);
    expect(
      (await vetWebhookAddress('https://slow.partner.example/in', none, { resolve: hanging, timeoutMs: 50 })).ok,
    ).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('does not resolve literal addresses or allow-listed names', async () => {
    let asked = 0;
    const counting = async () => {
      asked++;
      return ['10.0.0.1'];
    };
    expect((await vetWebhookAddress('https://8.8.8.8/in', none, { resolve: counting })).ok).toBe(true);
    expect(
      (
        await vetWebhookAddress('http://hooks.soc.internal/in', new AllowList(['hooks.soc.internal']), {
          resolve: counting,
        })
      ).ok,
    ).toBe(true);
    expect((await vetWebhookAddress('https://127.0.0.1/in', none, { resolve: counting })).ok).toBe(false);
    expect(asked).toBe(0);
  });
});
