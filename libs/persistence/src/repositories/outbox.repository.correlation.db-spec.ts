import { beforeAll, describe, expect, it } from 'vitest';
import { runWithCorrelation } from '@tlp-broker/observability';
import { useTestDatabase } from '../../../../test/support/test-database';
import { OutboxEntity, OutboxTopic } from '../entities';
import { OutboxRepository } from './outbox.repository';
import { TestRows } from './test-rows.db-fixtures';

/** The correlation id of the request that published: kept on the outbox row, handed to the relay with it. */
const db = useTestDatabase();
const fixtures = new TestRows(db);
let outbox: OutboxRepository;

beforeAll(() => {
  outbox = new OutboxRepository(db.dataSource);
});

const rowsOf = (itemVersionId: string) =>
  db.dataSource.getRepository(OutboxEntity).find({ where: { itemVersionId }, order: { id: 'ASC' } });

describe('OutboxRepository and correlation ids', () => {
  it('keeps the correlation id of the request a release and a retraction are queued in', async () => {
    const versionId = await fixtures.version(await fixtures.item({ kind: 'alert' }), 1);
    await runWithCorrelation('req-publish-0001', () => outbox.queueRelease(versionId, null));
    await runWithCorrelation('req-retract-0002', () =>
      db.dataSource.transaction((tx) => outbox.queueRetraction(versionId, tx)),
    );
    expect((await rowsOf(versionId)).map((row) => [row.topic, row.correlationId])).toEqual([
      [OutboxTopic.Published, 'req-publish-0001'],
      [OutboxTopic.Retracted, 'req-retract-0002'],
    ]);
  });

  it('leaves it empty outside any request, and hands it to the relay when there is one', async () => {
    await db.superuser.query('UPDATE outbox SET processed_at = now() WHERE processed_at IS NULL');
    const quiet = await fixtures.version(await fixtures.item({ kind: 'alert' }), 1);
    const asked = await fixtures.version(await fixtures.item({ kind: 'alert' }), 1);
    await outbox.queueRelease(quiet, null);
    await runWithCorrelation('req-publish-0003', () => outbox.queueRelease(asked, null));
    expect((await rowsOf(quiet))[0].correlationId).toBeNull();
    const due = await outbox.lockDue(60_000, 10);
    expect(due.map((row) => [row.itemVersionId, row.correlationId])).toEqual([
      [quiet, undefined],
      [asked, 'req-publish-0003'],
    ]);
  });
});
