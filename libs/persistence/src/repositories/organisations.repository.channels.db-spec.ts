import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { OrganisationRepository } from './organisations.repository';
import { TestRows } from './test-rows.db-fixtures';

describe('OrganisationRepository: keys, names and channels as the pull forms and submissions read them', () => {
  const db = useTestDatabase();
  const fixtures = new TestRows(db);
  let organisations: OrganisationRepository;

  beforeAll(() => {
    organisations = new OrganisationRepository(db.dataSource);
  });

  it("gives every key registered for an organisation, its contacts' too, and no other organisation's", async () => {
    const organisation = await fixtures.organisation('Keyed CERT');
    const contact = await fixtures.contact(organisation, 'Kim Keyholder');
    const other = await fixtures.organisation('Other keyed CERT');
    await fixtures.key(organisation, 'A'.repeat(40));
    await fixtures.key(organisation, 'B'.repeat(40), contact);
    await fixtures.key(other, 'C'.repeat(40));
    const keys = await organisations.keysOfOrganisation(organisation);
    expect(keys.map((key) => key.fingerprint).sort()).toEqual(['A'.repeat(40), 'B'.repeat(40)]);
    expect(keys[0].armored).toBe('armored key');
    expect(await organisations.keysOfOrganisation(await fixtures.organisation('Keyless CERT'))).toEqual([]);
  });

  it('names organisations by id, leaving unknown ids out', async () => {
    const first = await fixtures.organisation('Named CERT');
    const second = await fixtures.organisation('Named SOC');
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await organisations.organisationNames([first, second, first, unknown])).toEqual(
      new Map([
        [first, 'Named CERT'],
        [second, 'Named SOC'],
      ]),
    );
    expect(await organisations.organisationNames([])).toEqual(new Map());
  });

  it("names a channel's holder, and gives its creation to the microsecond", async () => {
    const organisation = await fixtures.organisation('Holder CERT');
    const contact = await fixtures.contact(organisation, 'Hana Holder');
    const team = await fixtures.channel(organisation, { createdAt: '2026-04-01T12:00:00.123456Z' });
    const personal = await fixtures.channel(organisation, { contactId: contact });
    expect(await organisations.channelHolder(team)).toEqual({ organisation: 'Holder CERT', contact: null });
    expect(await organisations.channelHolder(personal)).toEqual({
      organisation: 'Holder CERT',
      contact: 'Hana Holder',
    });
    expect(await organisations.channelCreatedMicros(team)).toBe(Date.parse('2026-04-01T12:00:00Z') * 1000 + 123456);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await organisations.channelHolder(unknown)).toBeNull();
    expect(await organisations.channelCreatedMicros(unknown)).toBeNull();
  });
});
