import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpenPgpService } from '@tlp-broker/crypto';
import { PartnerDirectory } from '@tlp-broker/persistence';
import { useTestDatabase } from '../../../../test/support/test-database';
import { TestRows } from '../../../../libs/persistence/src/repositories/test-rows.db-fixtures';
import { KeyReadAhead } from './key-read-ahead.service';

const db = useTestDatabase();
const rows = new TestRows(db);

/** The key pool as the read-ahead sees it: records each key block it is asked to read. */
class RecordingPool {
  readonly blocks: string[] = [];
  async readKeyAhead(armored: string): Promise<void> {
    this.blocks.push(armored);
    if (armored.includes('unreadable')) throw new Error('Misformed armored text');
  }
}

let pool: RecordingPool;
let readAhead: KeyReadAhead;

beforeAll(() => {
  pool = new RecordingPool();
  readAhead = new KeyReadAhead(new PartnerDirectory(db.dataSource), pool as unknown as OpenPgpService);
});

/** A partner with a channel encrypting to a key whose block is `armored`. */
async function partnerWithKey(
  armored: string,
  options: { organisation?: 'suspended'; channel?: 'suspended'; revoked?: boolean } = {},
): Promise<string> {
  const organisationId = await rows.organisation(undefined, { status: options.organisation ?? 'active' });
  const fingerprint = randomBytes(20).toString('hex').toUpperCase();
  const keyId = await rows.key(organisationId, fingerprint, null, { armored, revoked: options.revoked });
  await rows.channel(organisationId, { keyId, status: options.channel ?? 'active' });
  return keyId;
}

describe('reading partners’ keys ahead of their first delivery', () => {
  it('reads each usable key once, again only when its block changes, and none that cannot be used', async () => {
    const usable = await partnerWithKey('key block one');
    await partnerWithKey('key block two');
    await partnerWithKey('unreadable block');
    await partnerWithKey('suspended partner block', { organisation: 'suspended' });
    await partnerWithKey('suspended channel block', { channel: 'suspended' });
    await partnerWithKey('revoked key block', { revoked: true });

    expect(await readAhead.readNew()).toBe(3);
    expect([...pool.blocks].sort()).toEqual(['key block one', 'key block two', 'unreadable block']);

    // Nothing written since: the clock has not moved, nothing is read.
    pool.blocks.length = 0;
    expect(await readAhead.readNew()).toBe(0);
    // A write that leaves every key block as it was moves the clock, and reads nothing.
    await rows.organisation('a new partner without a key');
    expect(await readAhead.readNew()).toBe(0);
    expect(pool.blocks).toEqual([]);

    // A key renewed in place (a new expiry, a new subkey) is read again; the others are not.
    await rows.renewKey(usable, 'key block one, renewed');
    expect(await readAhead.readNew()).toBe(1);
    expect(pool.blocks).toEqual(['key block one, renewed']);
  });
});
