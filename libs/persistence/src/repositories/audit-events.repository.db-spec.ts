import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { AuditEntry, AuditLog } from '../audit-log';
import { AuditEventRepository } from './audit-events.repository';
import { TestRows } from './test-rows.db-fixtures';

/** One item's audit trail read from the whole trail, as the analysts' console shows it. */
const db = useTestDatabase();
const fixtures = new TestRows(db);
let events: AuditEventRepository;
const audit = new AuditLog({ key: Buffer.alloc(32, 7) });
let analyst: { id: string; name: string };
const item = { ours: '', other: '' };
/** Actions in the order they were appended for our item. */
const ours: string[] = [];

/** Appends as the broker does, in a transaction of its own; returns the event's seq. */
async function append(entry: AuditEntry): Promise<number> {
  const event = await db.dataSource.transaction((manager) => audit.append(manager, entry));
  return Number(event.seq);
}

async function deliveryOf(itemId: string): Promise<string> {
  const version = await fixtures.version(itemId, 1);
  const organisationId = await fixtures.organisation();
  return fixtures.delivery({
    itemVersionId: version,
    organisationId,
    channelId: await fixtures.channel(organisationId),
  });
}

beforeAll(async () => {
  events = new AuditEventRepository(db.dataSource);
  analyst = { id: await fixtures.user('trail-analyst'), name: '' };
  [{ name: analyst.name }] = await db.superuser.query('SELECT name FROM users WHERE id = $1', [analyst.id]);
  item.ours = await fixtures.item();
  item.other = await fixtures.item();
  const ourDelivery = await deliveryOf(item.ours);
  const otherDelivery = await deliveryOf(item.other);
  const user = `user:${analyst.id}`;
  const about = (action: string, entry: Omit<AuditEntry, 'action'>) => {
    ours.push(action);
    return append({ action, ...entry });
  };
  await about('item.published', { actor: user, subjectType: 'item', subjectId: item.ours, details: { version: 1 } });
  await append({ actor: user, action: 'item.published', subjectType: 'item', subjectId: item.other });
  await about('item.routed', { actor: 'dispatcher', subjectType: 'item', subjectId: item.ours });
  await append({ actor: user, action: 'caveat.created', subjectType: 'caveat', subjectId: 'need-to-know' });
  await about('delivery.delivered', {
    actor: 'dispatcher',
    subjectType: 'delivery',
    subjectId: ourDelivery,
    details: { itemId: item.ours, version: 1 },
  });
  await append({
    actor: 'dispatcher',
    action: 'delivery.delivered',
    subjectType: 'delivery',
    subjectId: otherDelivery,
    details: { itemId: item.other, version: 1 },
  });
  // A delivery event that does not name the item: found through the delivery.
  await about('delivery.retried', { actor: user, subjectType: 'delivery', subjectId: ourDelivery });
  // Another subject that names the item in its details.
  await about('acknowledgement.received', {
    actor: 'partner:channel-1',
    subjectType: 'acknowledgement',
    subjectId: 'ack-1',
    details: { itemId: item.ours },
  });
  await about('item.retracted', {
    actor: 'user:00000000-0000-4000-8000-00000000dead',
    subjectType: 'item',
    subjectId: item.ours,
    details: { reason: 'sinkhole' },
  });
});

describe('AuditEventRepository reads of one item on PostgreSQL', () => {
  it('gives the events about the item, its deliveries and those naming it, oldest first, and no other', async () => {
    const trail = await events.aboutItem(item.ours, { limit: 100 });
    expect(trail.map((event) => event.action)).toEqual(ours);
    const seqs = trail.map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(trail.some((event) => event.subjectId === item.other || event.details.itemId === item.other)).toBe(false);
    expect(await events.aboutItem('00000000-0000-4000-8000-000000000000', { limit: 100 })).toEqual([]);
  });

  it('names the acting user when the user exists, and keeps every field as stored', async () => {
    const [published, routed, , , , retracted] = await events.aboutItem(item.ours, { limit: 100 });
    expect(published).toEqual({
      seq: expect.any(Number),
      at: expect.any(Date),
      actor: `user:${analyst.id}`,
      actorName: analyst.name,
      action: 'item.published',
      subjectType: 'item',
      subjectId: item.ours,
      details: { version: 1 },
    });
    expect(routed).toMatchObject({ actor: 'dispatcher', actorName: null });
    expect(retracted).toMatchObject({ actor: 'user:00000000-0000-4000-8000-00000000dead', actorName: null });
  });

  it('pages: at most `limit` events, then those after the last one given', async () => {
    const first = await events.aboutItem(item.ours, { limit: 2 });
    expect(first.map((event) => event.action)).toEqual(ours.slice(0, 2));
    const rest = await events.aboutItem(item.ours, { after: first[1].seq, limit: 100 });
    expect(rest.map((event) => event.action)).toEqual(ours.slice(2));
  });
});

describe('AuditEventRepository reads of one subject on PostgreSQL', () => {
  it('gives the events about that subject only, oldest first, its acting user named, by pages', async () => {
    const submission = '5b0b5c4e-8f0e-4a53-9d0e-0c1f7a8f2b11';
    const user = `user:${analyst.id}`;
    await append({
      actor: 'channel:c-1',
      action: 'submission.received',
      subjectType: 'submission',
      subjectId: submission,
    });
    await append({ actor: user, action: 'submission.received', subjectType: 'submission', subjectId: 'another' });
    await append({ actor: user, action: 'caveat.created', subjectType: 'caveat', subjectId: submission });
    await append({ actor: user, action: 'submission.closed', subjectType: 'submission', subjectId: submission });
    const trail = await events.aboutSubject('submission', submission, { limit: 100 });
    expect(trail.map((event) => [event.action, event.actorName])).toEqual([
      ['submission.received', null],
      ['submission.closed', analyst.name],
    ]);
    const [first] = await events.aboutSubject('submission', submission, { limit: 1 });
    expect(first.action).toBe('submission.received');
    const rest = await events.aboutSubject('submission', submission, { after: first.seq, limit: 100 });
    expect(rest.map((event) => event.action)).toEqual(['submission.closed']);
  });
});
