import { describe, expect, it, vi } from 'vitest';
import type { KeyInUse, OrganisationRepository, RecipientKeyEntity } from '@tlp-broker/persistence';
import { KeysService } from './keys.service';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

function inUse(
  id: string,
  expiresAt: Date | null,
  names: { organisation: string | null; contact?: string | null; contactId?: string | null },
): KeyInUse {
  return {
    key: {
      id,
      organisationId: `org-of-${id}`,
      contactId: names.contactId ?? null,
      fingerprint: id.toUpperCase(),
      version: 4,
      algorithm: 'rsa 4096',
      keyCreatedAt: new Date(0),
      expiresAt,
      revokedAt: null,
      userIds: [],
    } as unknown as RecipientKeyEntity,
    organisation: names.organisation,
    contact: names.contact ?? null,
  };
}

function report(keys: KeyInUse[]) {
  const organisations = { keysInUse: vi.fn(async () => keys) };
  return new KeysService(organisations as unknown as OrganisationRepository);
}

describe('KeysService', () => {
  const keys = [
    inUse('never', null, { organisation: 'Alpha' }),
    inUse('later', new Date(NOW + 40 * DAY), { organisation: 'Beta' }),
    inUse('soon', new Date(NOW + 10 * DAY + 1), { organisation: 'Gamma', contactId: 'c-1', contact: 'Jane' }),
    inUse('expired', new Date(NOW - 2 * DAY - 1), { organisation: 'Delta' }),
    inUse('same-day', new Date(NOW + 10 * DAY + 1), { organisation: 'Beta' }),
  ];

  it('lists the keys in use soonest expiry first, then by organisation, with whole days left', async () => {
    const rows = await report(keys).report(undefined, NOW);
    expect(rows.map((row) => [row.fingerprint, row.organisation, row.daysLeft])).toEqual([
      ['EXPIRED', 'Delta', -3],
      ['SAME-DAY', 'Beta', 10],
      ['SOON', 'Gamma', 10],
      ['LATER', 'Beta', 40],
      ['NEVER', 'Alpha', null],
    ]);
    expect(rows[2]).toMatchObject({ contactId: 'c-1', contact: 'Jane', organisationId: 'org-of-soon' });
    expect(rows[0]).toMatchObject({ contactId: null, contact: null });
  });

  it('gives the renewal report: keys expiring within the days asked for, expired ones included', async () => {
    const rows = await report(keys).report(30, NOW);
    expect(rows.map((row) => row.fingerprint)).toEqual(['EXPIRED', 'SAME-DAY', 'SOON']);
    expect(await report(keys).report(0, NOW)).toHaveLength(1);
  });

  it('names the organisation by its id when its row is gone', async () => {
    const [row] = await report([inUse('orphan', null, { organisation: null })]).report(undefined, NOW);
    expect(row.organisation).toBe('org-of-orphan');
  });
});
