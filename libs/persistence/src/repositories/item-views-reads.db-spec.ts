import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { DecisionRepository } from './decisions.repository';
import { DeliveryRepository } from './deliveries.repository';
import { OrganisationRepository } from './organisations.repository';

/** The reads the analysts' item views and intake make of decisions, deliveries and partners. */
let db: TestDatabase;
let versionId: string;
const org: Record<'alpha' | 'bravo', string> = { alpha: '', bravo: '' };
let contactId: string;
const channel: Record<'alpha' | 'bravo', string> = { alpha: '', bravo: '' };

const one = async (sql: string, parameters: unknown[] = []): Promise<string> => {
  const [row]: { id: string }[] = await db.superuser.query(`${sql} RETURNING id`, parameters);
  return row.id;
};

beforeAll(async () => {
  db = await openTestDatabase();
  const user = await one(`INSERT INTO users (name, roles) VALUES ('reads-author', ARRAY['analyst'])`);
  const item = await one(
    `INSERT INTO items (kind, state, current_version, created_by) VALUES ('alert', 'published', 1, $1)`,
    [user],
  );
  versionId = await one(
    `INSERT INTO item_versions (item_id, version, title, body, tlp, audience, created_by)
     VALUES ($1, 1, 't', 'b', 'TLP:GREEN', '{}'::jsonb, $2)`,
    [item, user],
  );
  org.alpha = await one(
    `INSERT INTO organisations (name, kind, relation, communities) VALUES ('Alpha', 'cert', 'peer', ARRAY['eu-lea', 'fr-csirt'])`,
  );
  org.bravo = await one(
    `INSERT INTO organisations (name, kind, relation, communities, status) VALUES ('Bravo', 'soc', 'peer', ARRAY['gendarmerie'], 'suspended')`,
  );
  contactId = await one(
    `INSERT INTO contacts (organisation_id, name, email) VALUES ($1, 'Dana', 'dana@alpha.example')`,
    [org.alpha],
  );
  channel.alpha = await one(`INSERT INTO channels (organisation_id, kind) VALUES ($1, 'feed')`, [org.alpha]);
  channel.bravo = await one(`INSERT INTO channels (organisation_id, kind) VALUES ($1, 'feed')`, [org.bravo]);
});

afterAll(async () => {
  await db?.close();
});

const decide = (orgId: string, channelId: string, allow: boolean) =>
  one(
    `INSERT INTO decisions (item_version_id, organisation_id, channel_id, allow, code, reason, decided_at)
     VALUES ($1, $2, $3, $4, 'tlp.green.in-community', 'r', now())`,
    [versionId, orgId, channelId, allow],
  );

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
    const item = await one(
      `INSERT INTO deliveries (kind, decision_id, item_version_id, channel_id, organisation_id, state, attempts)
       VALUES ('item', $1, $2, $3, $4, 'delivered', 1)`,
      [alpha, versionId, channel.alpha, org.alpha],
    );
    await one(
      `INSERT INTO deliveries (kind, decision_id, item_version_id, channel_id, organisation_id, state, attempts)
       VALUES ('recall', $1, $2, $3, $4, 'queued', 0)`,
      [bravo, versionId, channel.bravo, org.bravo],
    );
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
