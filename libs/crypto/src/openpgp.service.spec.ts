import * as openpgp from 'openpgp';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SharedArmor } from './armor';
import { OpenPgpService } from './openpgp.service';
import { openSealed, readPublicKey, SealedPayload } from './seal';

// Counts how often a recipient's key is parsed: the service keeps parsed keys by fingerprint.
vi.mock('./seal', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./seal')>();
  return { ...actual, readPublicKey: vi.fn(actual.readPublicKey) };
});

const YEAR_SECONDS = 365 * 24 * 3600;
const CREATED = new Date('2025-01-01T00:00:00Z');
/** When the tests' messages are addressed: the recipient's key is valid then, whatever the clock says. */
const AT = new Date('2025-06-01T00:00:00Z');

let team: openpgp.PrivateKey;
let recipient: openpgp.PrivateKey;
let recipientFingerprint: string;
let recipientArmored: string;
/** One item version sealed once, long enough that its shared packet is armored in prepared lines. */
let sealed: SealedPayload;
const PLAINTEXT = `advisory body ${'x'.repeat(2_000)}`;

beforeAll(async () => {
  const [teamKey, recipientKey] = await Promise.all([
    openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Team', email: 'team@team.example' }],
      date: CREATED,
      format: 'object',
    }),
    openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Partner', email: 'soc@partner.example' }],
      keyExpirationTime: YEAR_SECONDS,
      date: CREATED,
      format: 'object',
    }),
  ]);
  team = teamKey.privateKey;
  recipient = recipientKey.privateKey;
  recipientFingerprint = recipient.getFingerprint().toUpperCase();
  recipientArmored = recipientKey.publicKey.armor();
  sealed = await new OpenPgpService().sealOnce(PLAINTEXT, team, new Date('2025-02-01T00:00:00Z'));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.mocked(readPublicKey).mockClear();
});

/** The payload as a delivery reads it from its stored row: the same bytes in a buffer of its own. */
function stored(id: string | undefined, payload: SealedPayload = sealed): SealedPayload {
  return { ...payload, id, encryptedData: new Uint8Array(payload.encryptedData) };
}

async function opens(message: string): Promise<string> {
  const opened = await openSealed(message, recipient, [team.toPublic()]);
  expect(opened.signedBy).toEqual([team.getKeyID().toHex().toUpperCase()]);
  return opened.text;
}

describe('OpenPgpService messages', () => {
  it('seals once and addresses the payload to a recipient, who opens it and sees the team signature', async () => {
    const service = new OpenPgpService();
    const message = await service.addressTo(stored('sealed-1'), recipientFingerprint, recipientArmored, AT);
    expect(message).toMatch(/^-----BEGIN PGP MESSAGE-----\n/);
    expect(await opens(message)).toBe(PLAINTEXT);
  });

  it('reads a key and addresses the payload to it in one go; a key expired then gets its state and no message', async () => {
    const service = new OpenPgpService();
    const read = await service.readAndAddress(recipientArmored, recipientFingerprint, stored('sealed-1'), AT);
    expect(read.state).toMatchObject({ revoked: false, canEncrypt: true });
    expect(await opens(read.message!)).toBe(PLAINTEXT);
    const later = new Date(CREATED.getTime() + 2 * YEAR_SECONDS * 1000);
    const expired = await service.readAndAddress(recipientArmored, recipientFingerprint, stored('sealed-1'), later);
    expect(expired).toMatchObject({ state: { canEncrypt: false }, message: null });
  });

  it('signs without encrypting, verifiable with the team key', async () => {
    const signed = await new OpenPgpService().signOnly('TLP:CLEAR notice', team);
    const message = await openpgp.readMessage({ armoredMessage: signed });
    const { data, signatures } = await openpgp.verify({ message, verificationKeys: team.toPublic() });
    expect(data).toBe('TLP:CLEAR notice');
    await expect(signatures[0].verified).resolves.toBe(true);
  });

  it('parses a recipient key once and reuses it by fingerprint', async () => {
    const service = new OpenPgpService();
    await service.addressTo(stored('sealed-1'), recipientFingerprint, recipientArmored, AT);
    await service.addressTo(stored('sealed-2'), recipientFingerprint, recipientArmored, AT);
    expect(readPublicKey).toHaveBeenCalledTimes(1);
  });

  it('uses a key renewed under the same fingerprint as renewed, not the copy parsed before', async () => {
    const service = new OpenPgpService();
    await service.addressTo(stored('sealed-1'), recipientFingerprint, recipientArmored, AT);
    const afterFirstExpiry = new Date(CREATED.getTime() + (YEAR_SECONDS + 30 * 24 * 3600) * 1000);
    await expect(
      service.addressTo(stored('sealed-2'), recipientFingerprint, recipientArmored, afterFirstExpiry),
    ).rejects.toThrow();
    const { publicKey: renewed } = await openpgp.reformatKey({
      privateKey: recipient,
      userIDs: [{ name: 'Partner', email: 'soc@partner.example' }],
      keyExpirationTime: 3 * YEAR_SECONDS,
      date: CREATED,
      format: 'object',
    });
    expect(renewed.getFingerprint().toUpperCase()).toBe(recipientFingerprint);
    const message = await service.addressTo(
      stored('sealed-2'),
      recipientFingerprint,
      renewed.armor(),
      afterFirstExpiry,
    );
    expect(await opens(message)).toBe(PLAINTEXT);
  });

  it('does not keep a key that failed to parse: the next delivery parses it again', async () => {
    const service = new OpenPgpService();
    await expect(service.addressTo(stored('sealed-1'), recipientFingerprint, 'not a key', AT)).rejects.toThrow();
    const message = await service.addressTo(stored('sealed-1'), recipientFingerprint, recipientArmored, AT);
    expect(await opens(message)).toBe(PLAINTEXT);
    expect(readPublicKey).toHaveBeenCalledTimes(2);
  });
});

describe('OpenPgpService prepared armor', () => {
  /** The SharedArmor each message was armored with, in call order. */
  function armorsUsed(): () => SharedArmor[] {
    const armor = vi.spyOn(SharedArmor.prototype, 'armor');
    return () => armor.mock.contexts as SharedArmor[];
  }

  it('armors the shared packet of a named payload once for all its recipients, though each reads it anew', async () => {
    const used = armorsUsed();
    const service = new OpenPgpService();
    const first = await service.addressTo(stored('sealed-1'), recipientFingerprint, recipientArmored, AT);
    const second = await service.addressTo(stored('sealed-1'), recipientFingerprint, recipientArmored, AT);
    expect(used()[1]).toBe(used()[0]);
    expect(await opens(first)).toBe(PLAINTEXT);
    expect(await opens(second)).toBe(PLAINTEXT);
  });

  it('prepares the armor again when a payload of the same name carries other bytes', async () => {
    const used = armorsUsed();
    const service = new OpenPgpService();
    await service.addressTo(stored('sealed-1'), recipientFingerprint, recipientArmored, AT);
    const resealed = await service.sealOnce('the corrected advisory', team);
    const message = await service.addressTo(stored('sealed-1', resealed), recipientFingerprint, recipientArmored, AT);
    expect(used()[1]).not.toBe(used()[0]);
    expect(await opens(message)).toBe('the corrected advisory');
  });

  it('keeps the 16 most recently used payloads prepared', async () => {
    const used = armorsUsed();
    const service = new OpenPgpService();
    const address = async (id: string) => {
      await service.addressTo(stored(id), recipientFingerprint, recipientArmored, AT);
      return used().at(-1);
    };
    const first = await address('sealed-0');
    const second = await address('sealed-1');
    for (let n = 2; n < 16; n++) await address(`sealed-${n}`);
    expect(await address('sealed-0')).toBe(first);
    await address('sealed-16');
    expect(await address('sealed-0')).toBe(first);
    expect(await address('sealed-1')).not.toBe(second);
  });

  it('shares the armor of an unnamed payload between the recipients of that same payload', async () => {
    const used = armorsUsed();
    const service = new OpenPgpService();
    const payload = stored(undefined);
    const first = await service.addressTo(payload, recipientFingerprint, recipientArmored, AT);
    await service.addressTo(payload, recipientFingerprint, recipientArmored, AT);
    await service.addressTo(stored(undefined), recipientFingerprint, recipientArmored, AT);
    expect(used()[1]).toBe(used()[0]);
    expect(used()[2]).not.toBe(used()[0]);
    expect(await opens(first)).toBe(PLAINTEXT);
  });
});

describe('OpenPgpService key-state readings', () => {
  const expiry = new Date(CREATED.getTime() + YEAR_SECONDS * 1000);

  it('reads a valid key: its expiry, not revoked, able to encrypt', async () => {
    const state = await new OpenPgpService().keyStateAt(recipientArmored, AT);
    expect(state).toEqual({ expiresAt: expiry, revoked: false, canEncrypt: true });
  });

  it('reads an expired key as unable to encrypt', async () => {
    const state = await new OpenPgpService().keyStateAt(recipientArmored, new Date('2026-06-01T00:00:00Z'));
    expect(state).toEqual({ expiresAt: expiry, revoked: false, canEncrypt: false });
  });

  it('reads a revoked key as revoked and unable to encrypt', async () => {
    const { publicKey } = await openpgp.revokeKey({
      key: recipient,
      date: new Date('2025-03-01T00:00:00Z'),
      format: 'armored',
    });
    const state = await new OpenPgpService().keyStateAt(publicKey, AT);
    expect(state).toMatchObject({ revoked: true, canEncrypt: false });
  });

  it('checks a key a partner sends, and a key update, as the key rules say', async () => {
    const service = new OpenPgpService();
    const now = AT;
    const check = await service.inspectPublicKey(recipientArmored, now);
    expect(check).toMatchObject({ ok: true, key: { fingerprint: recipientFingerprint, expiresAt: expiry } });
    expect(await service.inspectPublicKey(recipient.armor(), now)).toMatchObject({ ok: false });
    const { publicKey: revoked } = await openpgp.revokeKey({ key: recipient, date: now, format: 'armored' });
    expect(await service.applyKeyUpdate(recipientArmored, revoked, now)).toMatchObject({
      kind: 'revoked',
      fingerprint: recipientFingerprint,
    });
  });
});
