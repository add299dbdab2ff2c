import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, createUser } from '@tlp-broker/persistence';
import { countRows, startBroker, TestBroker } from './support/broker';
import { eventually, http } from './support/http';
import { registerContact, registerPartner, TestContact, TestPartner } from './support/partners';

/** Four eyes for sensitive items, and embargoes: nothing leaves before its time or without its approval. */
describe('item life cycle: approval and embargo', () => {
  let broker: TestBroker;
  let partner: TestPartner;
  let officer: TestContact;
  let selfApprovingKey: string;

  const outboxRows = (itemId: string) =>
    countRows(
      broker,
      'SELECT count(*) FROM outbox o JOIN item_versions v ON v.id = o.item_version_id WHERE v.item_id = $1',
      [itemId],
    );
  const feedTitles = async (key: string) =>
    (await http(broker.url, 'GET', '/feed', { key })).body.entries.map((entry: { itemId: string }) => entry.itemId);

  beforeAll(async () => {
    broker = await startBroker({ env: { APPROVAL_REQUIRED_FOR: 'red,amber-strict,caveats' } });
    partner = await registerPartner(broker.url, broker.adminKey, {
      name: 'Europol EC3',
      kind: 'lea',
      relation: 'peer',
      communities: ['eu-lea'],
    });
    officer = await registerContact(broker.url, broker.adminKey, partner.id, 'Duty Officer');
    const both = await broker.db.transaction((manager) =>
      createUser(manager, new AuditLog(broker.config.audit), 'analyst-approver', ['analyst', 'approver'], 'test'),
    );
    selfApprovingKey = both.apiKey;
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('holds TLP:RED until a second person approves it, then delivers it', async () => {
    const published = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: {
        type: 'alert',
        title: 'Takedown tomorrow',
        body: 'Do not alert the suspects',
        tlp: 'TLP:RED',
        audience: { contacts: [officer.id] },
      },
    });
    expect(published.status).toBe(201);
    expect(published.body.state).toBe('pending-approval');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await outboxRows(published.body.id)).toBe(0);
    expect(await feedTitles(officer.feedKey)).toEqual([]);

    expect(
      (await http(broker.url, 'POST', `/items/${published.body.id}/approve`, { key: broker.analystKey })).status,
    ).toBe(403);
    const approved = await http(broker.url, 'POST', `/items/${published.body.id}/approve`, { key: broker.approverKey });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'published', approvedBy: expect.any(String) });
    await eventually(async () => (await feedTitles(officer.feedKey)).includes(published.body.id));
    const actions = (
      await broker.db.query(`SELECT action FROM audit_events WHERE subject_id = $1 ORDER BY seq`, [published.body.id])
    ).map((r: { action: string }) => r.action);
    expect(actions).toEqual(['item.submitted-for-approval', 'item.approved', 'item.routed']);
  });

  it('refuses an author approving their own item, even with the approver role', async () => {
    const published = await http(broker.url, 'POST', '/items', {
      key: selfApprovingKey,
      json: {
        type: 'alert',
        title: 'Self-approved?',
        body: 'x',
        tlp: 'TLP:AMBER+STRICT',
        audience: { organisations: [partner.id] },
      },
    });
    expect(published.body.state).toBe('pending-approval');
    const own = await http(broker.url, 'POST', `/items/${published.body.id}/approve`, { key: selfApprovingKey });
    expect(own.status).toBe(403);
    expect(own.body.message).toContain('four eyes');
    expect(await outboxRows(published.body.id)).toBe(0);
  });

  it('sends a rejected item back to draft with the reason, and it never leaves', async () => {
    const published = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: {
        type: 'intel-report',
        title: 'Caveated',
        body: 'x',
        tlp: 'TLP:AMBER',
        caveats: ['judicial-secret'],
        audience: { organisations: [partner.id] },
      },
    });
    expect(published.body.state).toBe('pending-approval');
    const rejected = await http(broker.url, 'POST', `/items/${published.body.id}/reject`, {
      key: broker.approverKey,
      json: { reason: 'Wrong audience' },
    });
    expect(rejected.body.state).toBe('draft');
    expect(
      (await http(broker.url, 'POST', `/items/${published.body.id}/approve`, { key: broker.approverKey })).status,
    ).toBe(409);
    const [audit] = await broker.db.query(
      `SELECT details FROM audit_events WHERE action = 'item.rejected' AND subject_id = $1`,
      [published.body.id],
    );
    expect(audit.details.reason).toBe('Wrong audience');
    expect(await outboxRows(published.body.id)).toBe(0);
  });

  it('publishes TLP:CLEAR at once: it needs no second pair of eyes', async () => {
    const published = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: { type: 'announcement', title: 'Public notice', body: 'x', tlp: 'TLP:CLEAR' },
    });
    expect(published.body.state).toBe('published');
    await eventually(async () => (await feedTitles(partner.feedKey)).includes(published.body.id));
  });

  it('delivers nothing before the embargo, then delivers at the release time', async () => {
    const releaseAt = new Date(Date.now() + 2_000);
    const published = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title: 'Embargoed advisory',
        body: 'x',
        tlp: 'TLP:GREEN',
        audience: { communities: ['eu-lea'] },
        releaseAt: releaseAt.toISOString(),
      },
    });
    expect(published.body).toMatchObject({ state: 'scheduled', releaseAt: releaseAt.toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await feedTitles(partner.feedKey)).not.toContain(published.body.id);
    const delivered = await eventually(async () => {
      const feed = await http(broker.url, 'GET', '/feed', { key: partner.feedKey });
      return feed.body.entries.find((entry: { itemId: string }) => entry.itemId === published.body.id);
    });
    expect(Date.parse(delivered.deliveredAt)).toBeGreaterThanOrEqual(releaseAt.getTime());
    expect((await http(broker.url, 'GET', `/items/${published.body.id}`, { key: broker.analystKey })).body.state).toBe(
      'published',
    );
  });

  it('refuses an embargo time without a time zone', async () => {
    const response = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: { type: 'advisory', title: 'x', body: 'x', tlp: 'TLP:CLEAR', releaseAt: '2026-12-01T08:00:00' },
    });
    expect(response.status).toBe(400);
    expect(response.body.details[0]).toMatchObject({
      field: 'releaseAt',
      message: expect.stringContaining('time zone'),
    });
  });
});
