import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { DecisionRepository } from './decisions.repository';
import { DeliveryRepository } from './deliveries.repository';
import { OrganisationRepository } from './organisations.repository';
import { TestRows } from './test-rows.db-fixtures';

/** The reads the analysts' item views and intake make of decisions, deliveries and partners. */
const db = useTestDatabase();
const fixtures = new TestRows(db);
let versionId: string;
const org: Record<'alpha' | 'bravo', string> = { alpha: '', bravo: '' };
let contactId: string;
const channel: Record<'alpha' | 'bravo', string> = { alpha: '', bravo: '' };

beforeAll(async () => {
  versionId = await fixtures.version(await fixtures.item({ kind: 'alert' }), 1, { tlp: 'TLP:GREEN' });
  org.alpha = await fixtures.organisation('Alpha', { communities: ['eu-lea', 'fr-csirt'] });
  org.bravo = await fixtures.organisation('Bravo', { kind: 'soc', communities: ['gendarmerie'], status: 'suspended' });
  contactId = await fixtures.contact(org.alpha, 'Dana');
  channel.alpha = await fixtures.channel(org.alpha);
  channel.bravo = await fixtures.channel(org.bravo);
});

const decide = (organisationId: string, channelId: string, allow: boolean) =>
  fixtures.decision(versionId, { organisationId, channelId }, { allow });

describe('DecisionRepository and DeliveryRepository reads for item views on PostgreSQL', () => {
  it('reads the decisions of a version, all of them or those about one organisation', async () => {
    const decisions = new DecisionRepository(db.dataSource);
    const alpha = await decide(org.alpha, channel.alpha, true);
    const bravo = await decide(org.bravo, channel.bravo, false);
    const all = await decisions.forItemVersion(versionId);
    expect(all.map((d) => d.id).sort()).toEqual([alpha, bravo].sort());
    const ofAlpha = await decisions.forItemVersion(versionId, { organisationId: org.alpha });
    expect(ofAlpha).toEqual([expect.objectContaining({ id: alpha, channelId: channel.alpha, allow: true })]);
    expect(await decisions.forItemVersion('00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  it('reads the item deliveries of decisions, never their recalls', async () => {
    const deliveries = new DeliveryRepository(db.dataSource);
    const [alpha, bravo] = (await new DecisionRepository(db.dataSource).forItemVersion(versionId))
      .sort((a, b) => Number(b.allow) - Number(a.allow))
      .map((d) => d.id);
    const item = await fixtures.delivery({
      decisionId: alpha,
      itemVersionId: versionId,
      channelId: channel.alpha,
      organisationId: org.alpha,
      state: 'delivered',
      attempts: 1,
    });
    await fixtures.delivery({
      kind: 'recall',
      decisionId: bravo,
      itemVersionId: versionId,
      channelId: channel.bravo,
      organisationId: org.bravo,
    });
    const found = await deliveries.itemDeliveriesOfDecisions([alpha, bravo]);
    expect(found).toEqual([expect.objectContaining({ id: item, decisionId: alpha, state: 'delivered', attempts: 1 })]);
    expect(await deliveries.itemDeliveriesOfDecisions([])).toEqual([]);
  });
});

describe('OrganisationRepository reads for item intake on PostgreSQL', () => {
  it('tells which organisations, contacts and communities exist, and finds an organisation', async () => {
    const organisations = new OrganisationRepository(db.dataSource);
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await organisations.knownOrganisations([org.alpha, missing, org.bravo])).toEqual(
      new Set([org.alpha, org.bravo]),
    );
    expect(await organisations.knownContacts([missing, contactId])).toEqual(new Set([contactId]));
    expect(await organisations.communitiesWithMembers(['eu-lea', 'gendarmerie', 'nowhere'])).toEqual(
      new Set(['eu-lea', 'gendarmerie']),
    );
    expect(await organisations.knownOrganisations([])).toEqual(new Set());
    expect(await organisations.communitiesWithMembers([])).toEqual(new Set());
    expect(await organisations.findById(org.bravo)).toMatchObject({ name: 'Bravo', status: 'suspended' });
    expect(await organisations.findById(missing)).toBeNull();
  });
});
