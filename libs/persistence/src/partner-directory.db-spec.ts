import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/support/test-database';
import { PartnerDirectory, RoutingTarget } from './partner-directory';
import { TestRows } from './repositories/test-rows.db-fixtures';

const db = useTestDatabase();
const rows = new TestRows(db);
let directory: PartnerDirectory;

beforeAll(() => {
  directory = new PartnerDirectory(db.dataSource);
});

/** A channel that encrypts to a registered key (TestRows' channels have none). */
async function withKey(channelId: string, keyId: string): Promise<void> {
  await db.superuser.query(`UPDATE channels SET key_id = $1 WHERE id = $2`, [keyId, channelId]);
}

/** What a routing step reads of a target: whose channel it is, for whom, encrypted to which key. */
function summary(target: RoutingTarget) {
  return {
    channel: target.channel.id,
    organisation: target.organisation.name,
    contact: target.contact?.name ?? null,
    key: target.key?.fingerprint ?? null,
  };
}

describe('PartnerDirectory on PostgreSQL', () => {
  it('assembles a target from its channel, organisation, contact and key', async () => {
    const organisationId = await rows.organisation('CERT-Assembled');
    const contactId = await rows.contact(organisationId, 'Ada Analyst');
    const keyId = await rows.key(organisationId, 'A'.repeat(40), contactId);
    const personal = await rows.channel(organisationId, { contactId });
    await withKey(personal, keyId);
    const shared = await rows.channel(organisationId);

    const target = await directory.target(personal);
    expect(target).not.toBeNull();
    expect(summary(target!)).toEqual({
      channel: personal,
      organisation: 'CERT-Assembled',
      contact: 'Ada Analyst',
      key: 'A'.repeat(40),
    });
    expect(target!.organisation).toMatchObject({ id: organisationId, kind: 'cert', status: 'active' });
    expect(target!.contact).toMatchObject({ id: contactId, organisationId });
    expect(target!.key).toMatchObject({ id: keyId, organisationId, contactId });
    expect(target!.channel).toMatchObject({ kind: 'feed', keyId, contactId });

    expect(summary((await directory.target(shared))!)).toEqual({
      channel: shared,
      organisation: 'CERT-Assembled',
      contact: null,
      key: null,
    });
  });

  it('answers null for a channel that does not exist', async () => {
    expect(await directory.target('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('lists every target, suspended partners too, oldest channel first and by id at the same instant', async () => {
    const early = await rows.organisation('CERT-Early');
    const suspended = await rows.organisation('CERT-Suspended', { status: 'suspended' });
    const late = await rows.channel(early, { createdAt: '2020-01-03 00:00:00.000002+00' });
    const first = await rows.channel(suspended, { createdAt: '2020-01-01 00:00:00.000001+00' });
    const tied: string[] = [];
    for (const organisationId of [early, suspended, early, suspended]) {
      tied.push(await rows.channel(organisationId, { createdAt: '2020-01-02 00:00:00.000001+00' }));
    }
    tied.sort();

    const all = await directory.allTargets();
    const ids = all.map((target) => target.channel.id);
    const channels: { id: string }[] = await db.superuser.query(`SELECT id FROM channels`);
    expect([...ids].sort()).toEqual(channels.map((channel) => channel.id).sort());
    expect(ids.slice(0, 6)).toEqual([first, ...tied, late]);
    expect(all.find((target) => target.channel.id === first)!.organisation).toMatchObject({
      name: 'CERT-Suspended',
      status: 'suspended',
    });
  });

  it('reads the targets of some channels, each once, and none for none', async () => {
    const organisationId = await rows.organisation('CERT-Some');
    const contactId = await rows.contact(organisationId, 'Bo Responder');
    const one = await rows.channel(organisationId, { contactId });
    const two = await rows.channel(organisationId);
    await rows.channel(organisationId);

    const targets = await directory.targets([one, two, one, '00000000-0000-4000-8000-000000000000']);
    expect(targets.map(summary).sort((a, b) => a.channel.localeCompare(b.channel))).toEqual(
      [
        { channel: one, organisation: 'CERT-Some', contact: 'Bo Responder', key: null },
        { channel: two, organisation: 'CERT-Some', contact: null, key: null },
      ].sort((a, b) => a.channel.localeCompare(b.channel)),
    );
    expect(await directory.targets([])).toEqual([]);
  });

  it('reads inside the caller transaction what it has not committed yet', async () => {
    const organisationId = await rows.organisation('CERT-Uncommitted');
    const [channel]: { id: string }[] = await db.dataSource.query(`SELECT gen_random_uuid() AS id`);
    await expect(
      db.dataSource.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO channels (id, organisation_id, kind, redistributes, status) VALUES ($1, $2, 'feed', false, 'active')`,
          [channel.id, organisationId],
        );
        expect((await directory.target(channel.id, tx))?.organisation.name).toBe('CERT-Uncommitted');
        expect((await directory.targets([channel.id], tx)).map(summary)).toEqual([
          { channel: channel.id, organisation: 'CERT-Uncommitted', contact: null, key: null },
        ]);
        expect((await directory.allTargets(tx)).map((target) => target.channel.id)).toContain(channel.id);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await directory.target(channel.id)).toBeNull();
    // What the rolled-back transaction read is never served to another.
    expect((await directory.allTargets()).map((target) => target.channel.id)).not.toContain(channel.id);
  });

  it('serves the directory it keeps while nothing changed, and reads it again after any write to it', async () => {
    const organisationId = await rows.organisation('CERT-Kept');
    const contactId = await rows.contact(organisationId, 'Di Kept');
    const keyId = await rows.key(organisationId, 'D'.repeat(40), contactId);
    const channelId = await rows.channel(organisationId, { contactId });
    await withKey(channelId, keyId);
    const mine = (targets: readonly RoutingTarget[]) => targets.find((target) => target.channel.id === channelId)!;

    const first = await directory.allTargets();
    expect(await directory.allTargets()).toBe(first);
    // Another process's reader (its own PartnerDirectory) reads the same.
    expect(await new PartnerDirectory(db.dataSource).allTargets()).toEqual(first);

    const writes: [string, string, (targets: readonly RoutingTarget[]) => unknown, unknown][] = [
      [
        `UPDATE organisations SET status = 'suspended' WHERE id = $1`,
        organisationId,
        (t) => mine(t).organisation.status,
        'suspended',
      ],
      [`UPDATE contacts SET name = 'Di Renamed' WHERE id = $1`, contactId, (t) => mine(t).contact?.name, 'Di Renamed'],
      [
        `UPDATE recipient_keys SET revoked_at = '2026-01-01T00:00:00Z' WHERE id = $1`,
        keyId,
        (t) => mine(t).key?.revokedAt,
        new Date('2026-01-01T00:00:00Z'),
      ],
      [`UPDATE channels SET redistributes = true WHERE id = $1`, channelId, (t) => mine(t).channel.redistributes, true],
    ];
    let before = first;
    for (const [sql, id, read, expected] of writes) {
      await db.superuser.query(sql, [id]);
      const after = await directory.allTargets();
      expect(after).not.toBe(before);
      expect(read(after)).toEqual(expected);
      expect(await directory.allTargets()).toBe(after);
      before = after;
    }
    await db.superuser.query(`DELETE FROM channels WHERE id = $1`, [channelId]);
    expect((await directory.allTargets()).map((target) => target.channel.id)).not.toContain(channelId);
  });

  it('lists every target as reading each channel alone does, column for column, without the key blocks', async () => {
    const organisationId = await rows.organisation('CERT-Columns', { status: 'suspended' });
    const contactId = await rows.contact(organisationId, 'Cy Columns');
    const keyId = await rows.key(organisationId, 'C'.repeat(40), contactId);
    const personal = await rows.channel(organisationId, { contactId });
    await withKey(personal, keyId);
    await db.superuser.query(`UPDATE recipient_keys SET expires_at = now() + interval '9 days' WHERE id = $1`, [keyId]);
    await rows.channel(organisationId);

    const all = await directory.allTargets();
    const alone = new Map(
      (await directory.targets(all.map((target) => target.channel.id))).map((target) => [target.channel.id, target]),
    );
    expect(all.length).toBe(alone.size);
    for (const target of all) {
      const expected = alone.get(target.channel.id)!;
      const { armored, ...keyWithoutBlock } = expected.key ?? { armored: null };
      expect(armored === null || armored.length > 0).toBe(true);
      expect(target).toEqual({ ...expected, key: expected.key ? keyWithoutBlock : null });
      if (target.key) expect(Object.keys(target.key)).not.toContain('armored');
    }
    expect(all.find((target) => target.channel.id === personal)!.key).toMatchObject({
      fingerprint: 'C'.repeat(40),
      contactId,
    });
  });
});
