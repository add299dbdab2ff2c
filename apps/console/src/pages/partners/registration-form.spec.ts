import { describe, expect, it } from 'vitest';
import {
  contactBody,
  emptyContact,
  emptyRegistration,
  newChannel,
  oneTimeValues,
  registrationBody,
  toggleScope,
} from './registration-form';

describe('registrationBody', () => {
  it('sends the lists as lists and leaves out the optional fields left empty', () => {
    const body = registrationBody({
      ...emptyRegistration(),
      name: '  CERT-XY ',
      communities: 'eu-csirt, eu-lea',
      publicKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n…\n',
    });
    expect(body).toEqual({
      name: 'CERT-XY',
      kind: 'cert',
      relation: 'peer',
      communities: ['eu-csirt', 'eu-lea'],
      accreditations: [],
      publicKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n…',
      channels: [{ kind: 'feed', redistributes: false, scopes: ['feed', 'taxii', 'misp'] }],
    });
    expect(body).not.toHaveProperty('country');
    expect(body).not.toHaveProperty('fingerprint');
  });

  it('gives each channel only what its kind takes', () => {
    const body = registrationBody({
      ...emptyRegistration(),
      country: 'fr ',
      fingerprint: ' 8D2A 41C2 ',
      channels: [
        { ...newChannel('email'), address: ' soc@cert.example ', secret: 'ignored for e-mail' },
        { ...newChannel('webhook'), address: 'https://hooks.example/tlp', redistributes: true },
        { ...newChannel('webhook'), address: 'https://hooks.example/b', secret: 'sixteen characters!' },
      ],
    });
    expect(body.country).toBe('FR');
    expect(body.fingerprint).toBe('8D2A 41C2');
    expect(body.channels).toEqual([
      { kind: 'email', redistributes: false, address: 'soc@cert.example' },
      { kind: 'webhook', redistributes: true, address: 'https://hooks.example/tlp' },
      { kind: 'webhook', redistributes: false, address: 'https://hooks.example/b', secret: 'sixteen characters!' },
    ]);
  });
});

describe('contactBody', () => {
  it('sends the personal feed scopes, and the fingerprint only when typed', () => {
    const body = contactBody({ ...emptyContact(), name: ' Jane ', email: 'jane@ec3.example ', publicKey: 'KEY' });
    expect(body).toEqual({
      name: 'Jane',
      email: 'jane@ec3.example',
      publicKey: 'KEY',
      scopes: ['feed', 'taxii', 'misp'],
    });
    expect(contactBody({ ...emptyContact(), fingerprint: 'ABCD' }).fingerprint).toBe('ABCD');
  });
});

describe('toggleScope', () => {
  it('adds or removes a scope and keeps the usual order', () => {
    expect(toggleScope(['misp', 'feed'], 'submit', true)).toEqual(['feed', 'misp', 'submit']);
    expect(toggleScope(['feed', 'taxii', 'misp'], 'taxii', false)).toEqual(['feed', 'misp']);
    expect(toggleScope(['feed'], 'feed', true)).toEqual(['feed']);
  });
});

describe('oneTimeValues', () => {
  it('finds each API key and webhook secret of the answer, with the channel it opens', () => {
    const values = oneTimeValues([
      { id: 'c1', kind: 'feed', address: null, apiKey: 'tlpb_abc', scopes: ['feed', 'taxii'] },
      { id: 'c2', kind: 'email', address: 'soc@x.example' },
      { id: 'c3', kind: 'webhook', address: 'https://hooks.example', secret: 'generated-secret-123' },
    ]);
    expect(values).toEqual([
      {
        channelId: 'c1',
        channelKind: 'feed',
        address: null,
        what: 'apiKey',
        value: 'tlpb_abc',
        scopes: ['feed', 'taxii'],
      },
      {
        channelId: 'c3',
        channelKind: 'webhook',
        address: 'https://hooks.example',
        what: 'secret',
        value: 'generated-secret-123',
        scopes: [],
      },
    ]);
    expect(oneTimeValues([{ id: 'c2', kind: 'email', address: 'soc@x.example' }])).toEqual([]);
  });
});
