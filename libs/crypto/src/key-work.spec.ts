import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyPool } from './key-pool';
import { ParsedKeys, runKeyTask } from './key-work';

const YEAR_MS = 365 * 24 * 3600 * 1000;
const CREATED = new Date('2025-01-01T00:00:00Z');
const SESSION_KEY = new Uint8Array(32).fill(7);

let recipient: openpgp.PrivateKey;
let armored: string;
let fingerprint: string;

beforeAll(async () => {
  const generated = await openpgp.generateKey({
    type: 'curve25519',
    userIDs: [{ name: 'Partner', email: 'soc@partner.example' }],
    keyExpirationTime: YEAR_MS / 1000,
    date: CREATED,
    format: 'object',
  });
  recipient = generated.privateKey;
  armored = generated.publicKey.armor();
  fingerprint = recipient.getFingerprint().toUpperCase();
});

describe('key work', () => {
  it("reads a key's state and addresses the session key to it, which the recipient opens", async () => {
    const at = CREATED.getTime() + YEAR_MS / 2;
    const result = await runKeyTask(new ParsedKeys(), { armored, now: at, sessionKey: SESSION_KEY, fingerprint });
    expect(result.state).toMatchObject({ revoked: false, canEncrypt: true });
    expect(result.state.expiresAt?.getTime()).toBe(CREATED.getTime() + YEAR_MS);
    const message = await openpgp.readMessage({ binaryMessage: result.packet! });
    const [opened] = await openpgp.decryptSessionKeys({ message, decryptionKeys: recipient, date: new Date(at) });
    expect(opened.data).toEqual(SESSION_KEY);
  });

  it('makes no packet for a key expired at the time asked, and reads only the state when no session key is given', async () => {
    const keys = new ParsedKeys();
    const after = CREATED.getTime() + 2 * YEAR_MS;
    const expired = await runKeyTask(keys, { armored, now: after, sessionKey: SESSION_KEY });
    expect(expired).toMatchObject({ state: { canEncrypt: false }, packet: null });
    const stateOnly = await runKeyTask(keys, { armored, now: CREATED.getTime() + 1000 });
    expect(stateOnly).toMatchObject({ state: { canEncrypt: true }, packet: null });
  });

  it('refuses a key block that is not the key named', async () => {
    const task = { armored, now: CREATED.getTime() + 1000, sessionKey: SESSION_KEY, fingerprint: 'AB'.repeat(20) };
    await expect(runKeyTask(new ParsedKeys(), task)).rejects.toThrow(/is the key/);
  });

  it('runs on the calling thread when no thread is asked', async () => {
    const pool = new KeyPool(0);
    expect(pool.threads).toBe(0);
    const result = await pool.run({ armored, now: CREATED.getTime() + 1000, sessionKey: SESSION_KEY });
    expect(result.packet).toBeInstanceOf(Uint8Array);
    await pool.close();
  });
});
