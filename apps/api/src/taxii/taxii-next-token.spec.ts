import { describe, expect, it } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import { TaxiiNextTokens } from './taxii-next-token';
import { TaxiiError } from './taxii.types';

const config = (key: string) => ({ audit: { key: Buffer.from(key.padEnd(32, '.')) } }) as unknown as AppConfig;
const tokens = new TaxiiNextTokens(config('audit key of this broker'));

/** The TAXII error a token is refused with. */
function refusal(collection: string, token: string): unknown {
  try {
    tokens.open(collection, token);
  } catch (error) {
    return error instanceof TaxiiError ? { status: error.getStatus(), body: error.getResponse() } : error;
  }
  throw new Error(`accepted: ${token}`);
}

const refused = {
  status: 400,
  body: {
    title: 'Invalid query parameter',
    description: 'next: use the value of `next` from the previous page',
    http_status: '400',
  },
};

describe('TaxiiNextTokens', () => {
  it('takes back the place a token it handed out names, for the collection it was handed out for', () => {
    const token = tokens.seal('channel-a', 1764489600000001);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(tokens.open('channel-a', token)).toBe(1764489600000001);
    expect(tokens.open('channel-a', undefined)).toBeUndefined();
    // Another process of the same broker (the same audit key) takes it back too.
    expect(new TaxiiNextTokens(config('audit key of this broker')).open('channel-a', token)).toBe(1764489600000001);
  });

  it("refuses a token handed out for another collection: a partner cannot page through another's", () => {
    expect(refusal('channel-b', tokens.seal('channel-a', 1764489600000001))).toEqual(refused);
  });

  it('refuses an altered or forged token, and one from another broker', () => {
    const token = tokens.seal('channel-a', 1764489600000001);
    const [payload, mac] = token.split('.');
    const earlier = Buffer.from('1000').toString('base64url');
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    for (const forged of [
      `${earlier}.${mac}`,
      `${payload}.${flipped}`,
      `${payload}.${mac}.${mac}`,
      `${payload}.`,
      payload,
      Buffer.from('1764489600000001.42.3').toString('base64url'),
      new TaxiiNextTokens(config('another broker')).seal('channel-a', 1764489600000001),
    ])
      expect(refusal('channel-a', forged)).toEqual(refused);
  });
});
