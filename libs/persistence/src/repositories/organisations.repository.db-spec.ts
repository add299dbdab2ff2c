import { beforeAll, describe, expect, it } from 'vitest';
import type { ChannelKind } from '@tlp-broker/domain';
import { useTestDatabase } from '../../../../test/support/test-database';
import { isUniqueViolation } from '../unique-violation';
import { NewRecipientKey, OrganisationRepository } from './organisations.repository';

/** Registration, administration and views of partners, as the services use them. */
describe('OrganisationRepository on PostgreSQL: partners', () => {
  const db = useTestDatabase();
  let organisations: OrganisationRepository;
  let count = 0;

  beforeAll(() => {
    organisations = new OrganisationRepository(db.dataSource);
  });

  const organisation = (name = `Partner ${++count}`) =>
    organisations.insertOrganisation({
      name,
      kind: 'csirt',
      country: 'FR',
      relation: 'constituent',
      communities: ['fr-csirt'],
      accreditations: [],
    });

  const key = (organisationId: string, contactId: string | null, fingerprint: string) => {
    const fields: NewRecipientKey = {
      organisationId,
      contactId,
      fingerprint,
      version: 4,
      algorithm: 'rsa 4096',
      bits: 4096,
      keyCreatedAt: new Date('2025-01-01T00:00:00Z'),
      expiresAt: null,
      userIds: ['Team <team@x.example>'],
      encryptionKeyId: '0011223344556677',
      armored: `armor of ${fingerprint}`,
    };
    return organisations.insertKey(fields);
  };

  const channel = (
    organisationId: string,
    contactId: string | null,
    keyId: string | null,
    kind: ChannelKind = 'feed',
  ) =>
    organisations.insertChannel({
      organisationId,
      contactId,
      kind,
      redistributes: false,
      address: kind === 'email' ? 'team@x.example' : null,
      secret: null,
      keyId,
    });

  const fingerprint = (digit: string) => digit.repeat(40);

  it('registers an organisation, a contact, keys and channels, each active, and finds them', async () => {
    const org = await organisation('Registered CERT');
    expect(org).toMatchObject({ name: 'Registered CERT', status: 'active', communities: ['fr-csirt'] });
    const contact = await organisations.insertContact({
      organisationId: org.id,
      name: 'Jane',
      email: 'jane@x.example',
    });
    expect(contact.status).toBe('active');
    const stored = await key(org.id, contact.id, fingerprint('A'));
    expect(stored).toMatchObject({ contactId: contact.id, revokedAt: null, userIds: ['Team <team@x.example>'] });
    const personal = await channel(org.id, contact.id, stored.id);
    expect(personal).toMatchObject({ status: 'active', keyId: stored.id });
    expect((await organisations.findById(org.id))?.name).toBe('Registered CERT');
    expect((await organisations.findContact(org.id, contact.id))?.email).toBe('jane@x.example');
    expect((await organisations.findChannel(org.id, personal.id))?.contactId).toBe(contact.id);
    expect((await organisations.findKey(stored.id))?.fingerprint).toBe(fingerprint('A'));
  });

  it('refuses a second organisation of the same name in any case, and a contact address twice', async () => {
    const org = await organisation('Unique Name');
    expect(isUniqueViolation(await organisation('UNIQUE name').catch((error: unknown) => error))).toBe(true);
    await organisations.insertContact({ organisationId: org.id, name: 'A', email: 'a@x.example' });
    const again = await organisations
      .insertContact({ organisationId: org.id, name: 'B', email: 'A@X.example' })
      .catch((error: unknown) => error);
    expect(isUniqueViolation(again)).toBe(true);
  });

  it('finds a contact or a channel only at its own organisation', async () => {
    const [one, two] = [await organisation(), await organisation()];
    const contact = await organisations.insertContact({ organisationId: one.id, name: 'C', email: 'c@x.example' });
    const feed = await channel(one.id, null, null);
    expect(await organisations.findContact(two.id, contact.id)).toBeNull();
    expect(await organisations.findChannel(two.id, feed.id)).toBeNull();
    await db.dataSource.transaction(async (tx) => {
      expect(await organisations.lockChannel(two.id, feed.id, tx)).toBeNull();
    });
  });

  it('lists organisations by name', async () => {
    for (const name of ['mm middle', 'zz last', 'aa first']) await organisation(name);
    const names = (await organisations.listByName()).map((o) => o.name);
    expect(names.filter((name) => /^[a-z]{2} /.test(name))).toEqual(['aa first', 'mm middle', 'zz last']);
  });

  it('locks an organisation or a channel for the caller transaction', async () => {
    const org = await organisation();
    const feed = await channel(org.id, null, null);
    await db.dataSource.transaction(async (tx) => {
      expect((await organisations.lockForUpdate(org.id, tx))?.id).toBe(org.id);
      expect((await organisations.lockChannel(org.id, feed.id, tx))?.id).toBe(feed.id);
      for (const table of ['organisations', 'channels'])
        await expect(
          db.superuser.query(`SELECT id FROM ${table} WHERE id = ANY($1) FOR UPDATE NOWAIT`, [[org.id, feed.id]]),
        ).rejects.toThrow(/could not obtain lock/);
    });
  });

  it('changes only the fields given, and the status of a contact or channel', async () => {
    const org = await organisation();
    const contact = await organisations.insertContact({ organisationId: org.id, name: 'D', email: 'd@x.example' });
    const feed = await channel(org.id, null, null);
    await organisations.updateOrganisation(org.id, { accreditations: ['judicial-secret'] });
    expect(await organisations.findById(org.id)).toMatchObject({
      status: 'active',
      communities: ['fr-csirt'],
      accreditations: ['judicial-secret'],
    });
    await organisations.setContactStatus(contact.id, 'suspended');
    await organisations.setChannelStatus(feed.id, 'suspended');
    expect((await organisations.findContact(org.id, contact.id))?.status).toBe('suspended');
    expect((await organisations.findChannel(org.id, feed.id))?.status).toBe('suspended');
  });

  it("gives the channels (oldest first), contacts (by name) and keys of the organisations asked for, and no one else's", async () => {
    const [one, two] = [await organisation(), await organisation()];
    const zed = await organisations.insertContact({ organisationId: one.id, name: 'Zed', email: 'z@x.example' });
    const amy = await organisations.insertContact({ organisationId: one.id, name: 'Amy', email: 'a@x.example' });
    const k1 = await key(one.id, null, fingerprint('B'));
    const first = await channel(one.id, null, k1.id);
    const second = await channel(one.id, zed.id, null);
    await channel(two.id, null, null);
    await key(two.id, null, fingerprint('C'));
    expect((await organisations.channelsOf([one.id])).map((c) => c.id)).toEqual([first.id, second.id]);
    expect((await organisations.contactsOf([one.id])).map((c) => c.id)).toEqual([amy.id, zed.id]);
    expect((await organisations.keysOf([one.id])).map((k) => k.id)).toEqual([k1.id]);
    expect(await organisations.channelsOf([])).toEqual([]);
    expect(await organisations.contactsOf([])).toEqual([]);
    expect(await organisations.keysOf([])).toEqual([]);
  });

  it("finds the key the team's or a contact's channels use now", async () => {
    const org = await organisation();
    const contact = await organisations.insertContact({ organisationId: org.id, name: 'E', email: 'e@x.example' });
    const teamKey = await key(org.id, null, fingerprint('D'));
    const personalKey = await key(org.id, contact.id, fingerprint('E'));
    await channel(org.id, null, null);
    await channel(org.id, null, teamKey.id);
    await channel(org.id, contact.id, personalKey.id);
    expect((await organisations.currentKey(org.id, null))?.id).toBe(teamKey.id);
    expect((await organisations.currentKey(org.id, contact.id))?.id).toBe(personalKey.id);
    const bare = await organisation();
    await key(bare.id, null, fingerprint('F'));
    expect(await organisations.currentKey(bare.id, null)).toBeNull();
  });

  it('revokes and merges a key in place, and moves a holder’s channels onto a replacement', async () => {
    const org = await organisation();
    const contact = await organisations.insertContact({ organisationId: org.id, name: 'F', email: 'f@x.example' });
    const old = await key(org.id, null, fingerprint('1'));
    const personalKey = await key(org.id, contact.id, fingerprint('2'));
    const teamFeed = await channel(org.id, null, old.id);
    const teamMail = await channel(org.id, null, old.id, 'email');
    const personal = await channel(org.id, contact.id, personalKey.id);

    const expiresAt = new Date('2030-01-01T00:00:00Z');
    await organisations.mergeKey(old.id, {
      armored: 'merged',
      expiresAt,
      userIds: ['New <new@x.example>'],
      encryptionKeyId: 'FFEEDDCCBBAA9988',
      algorithm: 'rsa 4096',
      bits: 4096,
    });
    expect(await organisations.findKey(old.id)).toMatchObject({
      fingerprint: fingerprint('1'),
      armored: 'merged',
      expiresAt,
      userIds: ['New <new@x.example>'],
      encryptionKeyId: 'FFEEDDCCBBAA9988',
    });
    const revokedAt = new Date('2026-05-05T00:00:00Z');
    await organisations.revokeKey(personalKey.id, 'revoked armor', revokedAt);
    expect(await organisations.findKey(personalKey.id)).toMatchObject({ armored: 'revoked armor', revokedAt });

    const replacement = await key(org.id, null, fingerprint('3'));
    await organisations.replaceChannelKey({ organisationId: org.id, contactId: null }, old.id, replacement.id);
    const keyIds = new Map((await organisations.channelsOf([org.id])).map((c) => [c.id, c.keyId]));
    expect(keyIds.get(teamFeed.id)).toBe(replacement.id);
    expect(keyIds.get(teamMail.id)).toBe(replacement.id);
    expect(keyIds.get(personal.id)).toBe(personalKey.id);
  });

  it('lists the keys some channel uses, with their organisation and contact names', async () => {
    const org = await organisation('Key Report Org');
    const contact = await organisations.insertContact({ organisationId: org.id, name: 'Greta', email: 'g@x.example' });
    const used = await key(org.id, null, fingerprint('7'));
    const personal = await key(org.id, contact.id, fingerprint('8'));
    const unused = await key(org.id, null, fingerprint('9'));
    await channel(org.id, null, used.id);
    await channel(org.id, null, used.id, 'email');
    await channel(org.id, contact.id, personal.id);
    const mine = (await organisations.keysInUse()).filter((row) => row.key.organisationId === org.id);
    expect(mine.map((row) => [row.key.id, row.organisation, row.contact]).sort()).toEqual(
      [
        [used.id, 'Key Report Org', null],
        [personal.id, 'Key Report Org', 'Greta'],
      ].sort(),
    );
    expect(mine.map((row) => row.key.id)).not.toContain(unused.id);
  });

  it('gives every key a partner may sign with: active holders only, revoked keys left out', async () => {
    const [org, suspendedOrg] = await Promise.all([organisation(), organisation()]);
    const [present, gone] = await Promise.all([
      organisations.insertContact({ organisationId: org.id, name: 'Present', email: 'p@x.example' }),
      organisations.insertContact({ organisationId: org.id, name: 'Gone', email: 'g@x.example' }),
    ]);
    await key(org.id, null, fingerprint('A'));
    await key(org.id, present.id, fingerprint('B'));
    await key(org.id, gone.id, fingerprint('C'));
    const revoked = await key(org.id, null, fingerprint('D'));
    await key(suspendedOrg.id, null, fingerprint('E'));
    await organisations.setContactStatus(gone.id, 'suspended');
    await organisations.updateOrganisation(suspendedOrg.id, { status: 'suspended' });
    await organisations.revokeKey(revoked.id, 'revoked armor', new Date());
    const owners = (await organisations.registeredKeyOwners()).filter((owner) =>
      [org.id, suspendedOrg.id].includes(owner.organisationId),
    );
    const owner = (digit: string, contactId: string | null) => ({
      fingerprint: fingerprint(digit),
      armored: `armor of ${fingerprint(digit)}`,
      organisationId: org.id,
      contactId,
    });
    expect(owners).toEqual([owner('A', null), owner('B', present.id)]);
  });

  it('takes part in the caller transaction: nothing stays when it rolls back', async () => {
    await expect(
      db.dataSource.transaction(async (tx) => {
        const org = await organisations.insertOrganisation(
          { name: 'Rolled Back', kind: 'soc', country: null, relation: 'peer', communities: [], accreditations: [] },
          tx,
        );
        await organisations.insertChannel(
          {
            organisationId: org.id,
            contactId: null,
            kind: 'feed',
            redistributes: false,
            address: null,
            secret: null,
            keyId: null,
          },
          tx,
        );
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await organisations.listByName()).map((o) => o.name)).not.toContain('Rolled Back');
  });
});
