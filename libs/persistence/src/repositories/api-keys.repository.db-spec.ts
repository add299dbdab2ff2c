import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { hashApiKey } from '../api-keys';
import { AuditLog } from '../audit-log';
import { isUniqueViolation } from '../unique-violation';
import { ApiKeyRepository, createUser } from './api-keys.repository';
import { OrganisationRepository } from './organisations.repository';

describe('ApiKeyRepository on PostgreSQL', () => {
  const db = useTestDatabase();
  let apiKeys: ApiKeyRepository;
  let organisations: OrganisationRepository;
  let count = 0;

  beforeAll(() => {
    apiKeys = new ApiKeyRepository(db.dataSource);
    organisations = new OrganisationRepository(db.dataSource);
  });

  /** An organisation with a key, and a channel (a contact's personal one when `personal`). */
  async function channel(personal = false): Promise<{ organisationId: string; contactId: string | null; id: string }> {
    const n = ++count;
    const organisation = await organisations.insertOrganisation({
      name: `Partner ${n}`,
      kind: 'cert',
      country: null,
      relation: 'peer',
      communities: [],
      accreditations: [],
    });
    const contact = personal
      ? await organisations.insertContact({
          organisationId: organisation.id,
          name: 'Jane',
          email: `jane${n}@x.example`,
        })
      : null;
    const created = await organisations.insertChannel({
      organisationId: organisation.id,
      contactId: contact?.id ?? null,
      kind: 'feed',
      redistributes: false,
      address: null,
      secret: null,
      keyId: null,
    });
    return { organisationId: organisation.id, contactId: contact?.id ?? null, id: created.id };
  }

  it('issues a channel key: only its hash is stored, and the key finds its holder in one query', async () => {
    const holder = await channel(true);
    const { credential, apiKey } = await apiKeys.issueForChannel(holder.id, ['taxii', 'misp']);
    expect(apiKey).toMatch(/^tlpb_p_[A-Za-z0-9_-]{43}$/);
    expect(credential).toMatchObject({ channelId: holder.id, userId: null, scopes: ['taxii', 'misp'] });
    expect(credential.prefix).toBe(apiKey.slice(0, 12));
    const [row]: { key_hash: string }[] = await db.superuser.query('SELECT key_hash FROM api_keys WHERE id = $1', [
      credential.id,
    ]);
    expect(row.key_hash).toBe(hashApiKey(apiKey));
    expect(await apiKeys.findLive(hashApiKey(apiKey))).toEqual({
      id: credential.id,
      scopes: ['taxii', 'misp'],
      lastUsedAt: null,
      user: null,
      channel: {
        id: holder.id,
        status: 'active',
        organisationId: holder.organisationId,
        organisationStatus: 'active',
        contactId: holder.contactId,
        contactStatus: 'active',
      },
    });
  });

  it('shows the holder as it is: suspended organisation, contact and channel alike', async () => {
    const holder = await channel(true);
    const { apiKey } = await apiKeys.issueForChannel(holder.id, ['feed']);
    await organisations.setChannelStatus(holder.id, 'suspended');
    await organisations.updateOrganisation(holder.organisationId, { status: 'suspended' });
    await organisations.setContactStatus(holder.contactId!, 'suspended');
    expect((await apiKeys.findLive(hashApiKey(apiKey)))?.channel).toMatchObject({
      status: 'suspended',
      organisationStatus: 'suspended',
      contactStatus: 'suspended',
    });
  });

  it('finds neither a revoked key nor an unknown one', async () => {
    const holder = await channel();
    const { credential, apiKey } = await apiKeys.issueForChannel(holder.id, ['feed']);
    expect(await apiKeys.findLive(hashApiKey('tlpb_p_unknown'))).toBeNull();
    await apiKeys.revoke(credential.id, new Date('2026-01-01T00:00:00Z'));
    expect(await apiKeys.findLive(hashApiKey(apiKey))).toBeNull();
  });

  it('creates a team member with a staff key and an audit event in the caller transaction', async () => {
    const audit = new AuditLog({ key: Buffer.alloc(32, 7) });
    const created = await db.dataSource.transaction((tx) =>
      createUser(tx, audit, 'alice', ['analyst'], 'test', apiKeys),
    );
    expect(created).toMatchObject({ name: 'alice', roles: ['analyst'], apiKey: expect.stringMatching(/^tlpb_s_/) });
    expect(await apiKeys.findLive(hashApiKey(created.apiKey))).toMatchObject({
      scopes: [],
      user: { id: created.id, name: 'alice', roles: ['analyst'], status: 'active' },
      channel: null,
    });
    const events: { action: string; subject_id: string }[] = await db.superuser.query(
      `SELECT action, subject_id FROM audit_events WHERE subject_type = 'user'`,
    );
    expect(events).toEqual([{ action: 'user.created', subject_id: created.id }]);
    const duplicate = await db.dataSource
      .transaction((tx) => createUser(tx, audit, 'ALICE', ['admin'], 'test'))
      .catch((error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
    const [{ users }]: { users: string }[] = await db.superuser.query('SELECT count(*) AS users FROM users');
    expect(Number(users)).toBe(1);
  });

  it('records a use at most once a minute', async () => {
    const holder = await channel();
    const { credential, apiKey } = await apiKeys.issueForChannel(holder.id, ['feed']);
    const lastUsed = async () => (await apiKeys.findLive(hashApiKey(apiKey)))!.lastUsedAt;
    await apiKeys.markUsed(credential.id);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await db.superuser.query(`UPDATE api_keys SET last_used_at = now() - interval '50 seconds' WHERE id = $1`, [
      credential.id,
    ]);
    const recent = await lastUsed();
    await apiKeys.markUsed(credential.id);
    expect(await lastUsed()).toEqual(recent);
    await db.superuser.query(`UPDATE api_keys SET last_used_at = now() - interval '61 seconds' WHERE id = $1`, [
      credential.id,
    ]);
    await apiKeys.markUsed(credential.id);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(recent!.getTime() + 30_000);
  });

  it("lists a channel's keys oldest first, revoked ones included", async () => {
    const holder = await channel();
    const other = await channel();
    const first = await apiKeys.issueForChannel(holder.id, ['feed']);
    const second = await apiKeys.issueForChannel(holder.id, ['taxii']);
    await apiKeys.issueForChannel(other.id, ['misp']);
    await apiKeys.revoke(first.credential.id, new Date('2026-02-01T00:00:00Z'));
    const listed = await apiKeys.listForChannel(holder.id);
    expect(listed.map((key) => [key.id, key.revokedAt?.toISOString() ?? null])).toEqual([
      [first.credential.id, '2026-02-01T00:00:00.000Z'],
      [second.credential.id, null],
    ]);
  });

  it("locks one of a channel's keys for the caller's transaction, and only the channel's own", async () => {
    const holder = await channel();
    const other = await channel();
    const { credential } = await apiKeys.issueForChannel(holder.id, ['feed']);
    await db.dataSource.transaction(async (tx) => {
      expect(await apiKeys.lockForUpdate(other.id, credential.id, tx)).toBeNull();
      expect((await apiKeys.lockForUpdate(holder.id, credential.id, tx))?.id).toBe(credential.id);
      await expect(
        db.superuser.query('SELECT id FROM api_keys WHERE id = $1 FOR UPDATE NOWAIT', [credential.id]),
      ).rejects.toThrow(/could not obtain lock/);
    });
  });

  it('takes part in the caller transaction: nothing stays when it rolls back', async () => {
    const holder = await channel();
    await expect(
      db.dataSource.transaction(async (tx) => {
        await apiKeys.issueForChannel(holder.id, ['feed'], tx);
        await apiKeys.insertUser('rolled back', ['admin'], tx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await apiKeys.listForChannel(holder.id)).toEqual([]);
    const [{ users }]: { users: string }[] = await db.superuser.query(
      `SELECT count(*) AS users FROM users WHERE name = 'rolled back'`,
    );
    expect(Number(users)).toBe(0);
  });
});
