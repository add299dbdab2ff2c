import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemKind } from '@tlp-broker/domain';
import { QueueName } from '@tlp-broker/queue';
import { startBroker, TestBroker } from './support/broker';
import { http } from './support/http';
import { itemBody, ItemSpec, publishItem, waitForRouting } from './support/items';
import { registerPartner, TestPartner } from './support/partners';

interface Summary {
  id: string;
  version: number;
  type: string;
  state: string;
  title: string;
  tlp: string;
  author: { id: string; name: string };
  createdAt: string;
  updatedAt: string;
  lastReleasedVersion?: number | null;
}

interface Version {
  version: number;
  title: string;
  body: string;
  tlp: string;
  author: { id: string; name: string };
  approvedBy: { id: string; name: string } | null;
  released: boolean;
}

interface AuditEvent {
  seq: number;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
}

/**
 * The reads the analysts' web console is built on, through the whole broker: the list of items and
 * the approvals queue, an item's versions, its audit trail, and the queue depths.
 */
describe('console reads', () => {
  let broker: TestBroker;
  let partner: TestPartner;
  /** Published, then updated under approval, approved and retracted. */
  let updated: string;
  /** Waiting for a second person from the start. */
  let waiting: string;

  const get = <T = any>(path: string, key = broker.analystKey) => http<T>(broker.url, 'GET', path, { key });
  const strict = (type: ItemKind, title: string, body: string): ItemSpec => ({
    type,
    title,
    body,
    tlp: 'TLP:AMBER+STRICT',
    audience: { organisations: [partner.id] },
  });

  beforeAll(async () => {
    broker = await startBroker({ env: { APPROVAL_REQUIRED_FOR: 'red,amber-strict,caveats' } });
    partner = await registerPartner(broker.url, broker.adminKey, {
      name: 'CERT-FR',
      kind: 'cert',
      relation: 'peer',
      communities: ['eu-lea'],
    });
    const first = await publishItem(broker.url, broker.analystKey, {
      title: 'Phishing wave against town halls',
      body: 'First body',
      tlp: 'TLP:GREEN',
      audience: { communities: ['eu-lea'] },
    });
    updated = first.id;
    await waitForRouting(broker.url, broker.analystKey, updated);
    waiting = (await publishItem(broker.url, broker.analystKey, strict('alert', 'Takedown tomorrow', 'Not yet'))).id;
    const update = await http(broker.url, 'PUT', `/items/${updated}`, {
      key: broker.analystKey,
      json: itemBody(strict('advisory', 'Phishing wave: the actor named', 'Second body')),
    });
    expect(update.body).toMatchObject({ version: 2, state: 'pending-approval' });
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('lists the approvals queue, newest first, with the version last released to compare with', async () => {
    const queue = await get<Summary[]>('/items?state=pending-approval');
    expect(queue.status).toBe(200);
    expect(queue.body).toEqual([
      expect.objectContaining({
        id: updated,
        version: 2,
        type: 'advisory',
        state: 'pending-approval',
        title: 'Phishing wave: the actor named',
        tlp: 'TLP:AMBER+STRICT',
        author: { id: expect.any(String), name: 'analyst' },
        lastReleasedVersion: 1,
      }),
      expect.objectContaining({ id: waiting, version: 1, type: 'alert', lastReleasedVersion: null }),
    ]);
    const [first] = queue.body;
    expect(Date.parse(first.updatedAt)).toBeGreaterThan(Date.parse(first.createdAt));
    expect((await get<Summary[]>('/items?state=published')).body).toEqual([]);
  });

  it('finds items by a piece of their title in any case, and gives at most `limit`', async () => {
    expect((await get<Summary[]>('/items?q=PHISHING')).body.map((item) => item.id)).toEqual([updated]);
    expect((await get<Summary[]>('/items?q=takedown', broker.approverKey)).body.map((item) => item.id)).toEqual([
      waiting,
    ]);
    const one = await get<Summary[]>('/items?limit=1', broker.adminKey);
    expect(one.body.map((item) => item.id)).toEqual([updated]);
  });

  it('shows every version in full, newest first, and which were released to partners', async () => {
    const before = await get<Version[]>(`/items/${updated}/versions`);
    expect(before.status).toBe(200);
    expect(before.body.map(({ version, body, released }) => ({ version, body, released }))).toEqual([
      { version: 2, body: 'Second body', released: false },
      { version: 1, body: 'First body', released: true },
    ]);
    const approved = await http(broker.url, 'POST', `/items/${updated}/approve`, { key: broker.approverKey });
    expect(approved.status).toBe(200);
    await waitForRouting(broker.url, broker.analystKey, updated);
    const [second, first] = (await get<Version[]>(`/items/${updated}/versions`)).body;
    expect(second).toMatchObject({
      version: 2,
      title: 'Phishing wave: the actor named',
      tlp: 'TLP:AMBER+STRICT',
      author: { name: 'analyst' },
      approvedBy: { name: 'approver' },
      released: true,
    });
    expect(first).toMatchObject({ version: 1, tlp: 'TLP:GREEN', approvedBy: null, released: true });
    expect((await get<Version[]>(`/items/${waiting}/versions`)).body).toEqual([
      expect.objectContaining({ version: 1, body: 'Not yet', released: false, approvedBy: null }),
    ]);
  });

  it("gives the item's audit trail in order, naming who acted, and nothing of another item", async () => {
    const retracted = await http(broker.url, 'POST', `/items/${updated}/retract`, {
      key: broker.analystKey,
      json: { reason: 'The actor was misidentified' },
    });
    expect(retracted.status).toBe(200);
    const trail = await get<AuditEvent[]>(`/items/${updated}/audit`, broker.approverKey);
    expect(trail.status).toBe(200);
    const ofItem = trail.body.filter((event) => event.subjectType === 'item');
    expect(ofItem.map(({ action, actor }) => [action, actor])).toEqual([
      ['item.published', 'analyst'],
      ['item.routed', 'dispatcher'],
      ['item.update-submitted-for-approval', 'analyst'],
      ['item.approved', 'approver'],
      ['item.routed', 'dispatcher'],
      ['item.retracted', 'analyst'],
    ]);
    expect(ofItem.every((event) => event.subjectId === updated)).toBe(true);
    const delivered = trail.body.filter((event) => event.action === 'delivery.delivered');
    expect(delivered.map((event) => event.details.version)).toEqual([1, 2]);
    expect(delivered.every((event) => event.details.itemId === updated)).toBe(true);
    const seqs = trail.body.map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(JSON.stringify(trail.body)).not.toContain(waiting);

    const page = await get<AuditEvent[]>(`/items/${updated}/audit?limit=2`);
    expect(page.body).toEqual(trail.body.slice(0, 2));
    const next = await get<AuditEvent[]>(`/items/${updated}/audit?limit=2&after=${page.body[1].seq}`);
    expect(next.body).toEqual(trail.body.slice(2, 4));
    expect((await get<AuditEvent[]>(`/items/${waiting}/audit`)).body.map((event) => event.action)).toEqual([
      'item.submitted-for-approval',
    ]);
  });

  it('shows administrators the depth of every queue, and no one else', async () => {
    const depths = await get<Record<string, unknown>[]>('/operations/queues', broker.adminKey);
    expect(depths.status).toBe(200);
    expect(depths.body.map((queue) => queue.name).sort()).toEqual(Object.values(QueueName).sort());
    for (const queue of depths.body) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused']) {
        expect(Number.isInteger(queue[state]) && (queue[state] as number) >= 0, `${String(queue.name)} ${state}`).toBe(
          true,
        );
      }
    }
    // The deliveries made so far went through the feed batches' queue (pull feeds).
    const feedDeliveries = depths.body.find((queue) => queue.name === QueueName.FeedDeliveries);
    expect(feedDeliveries?.completed).toBeGreaterThan(0);
    expect((await get('/operations/queues')).status).toBe(403);
    expect((await get('/operations/queues', broker.approverKey)).status).toBe(403);
  });

  it('answers 400 naming the field for a bad state or limit, and 404 for an unknown item', async () => {
    const state = await get('/items?state=approved');
    expect(state.status).toBe(400);
    expect(state.body.details).toEqual([{ field: 'state', message: expect.stringContaining('pending-approval') }]);
    const limit = await get('/items?limit=501');
    expect(limit.status).toBe(400);
    expect(limit.body.details).toEqual([expect.objectContaining({ field: 'limit' })]);
    const after = await get(`/items/${updated}/audit?after=-1`);
    expect(after.status).toBe(400);
    expect(after.body.details).toEqual([expect.objectContaining({ field: 'after' })]);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await get(`/items/${unknown}/versions`)).status).toBe(404);
    expect((await get(`/items/${unknown}/audit`)).status).toBe(404);
    expect((await get('/items/not-an-id/versions')).status).toBe(400);
  });
});
