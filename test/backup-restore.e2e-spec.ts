import { ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INestApplicationContext } from '@nestjs/common';
import { OutboxRelay } from '../apps/dispatcher/src/outbox/outbox-relay.service';
import { RoutingService } from '../apps/dispatcher/src/routing/routing.service';
import { OutboxRepository, Transactions } from '@tlp-broker/persistence';
import { feedDeliveriesJobId, QueueName, redisConnection } from '@tlp-broker/queue';
import { startBroker, startDispatchSteps, TestBroker } from './support/broker';
import { databaseUrl } from './support/databases';
import { eventually } from './support/http';
import { feedItemIds, publishItem } from './support/items';
import { registerPartner, TestPartner } from './support/partners';
import { builtEntry, startProcess, stopProcess } from './support/processes';

/**
 * PostgreSQL restored from a backup while Redis keeps its data: the outbox sequence starts again
 * where the backup left it, and BullMQ still holds the jobs of the work done since. Nothing
 * published after the restore may be lost, and work the restored database has not done must be
 * done again, although Redis remembers it as completed.
 */
describe('a database restored from a backup while Redis keeps its data', () => {
  let broker: TestBroker;
  let partner: TestPartner;
  let dispatcher: ChildProcess | null = null;
  let superuserUrl: string;
  /** The routing step without workers, to leave deliveries queued when a backup is taken. */
  let steps: INestApplicationContext;
  const scratch = mkdtempSync(join(tmpdir(), 'tlpb-backup-'));

  const startDispatcher = () => {
    dispatcher = startProcess('dispatcher', { ...broker.env, LOG_LEVEL: 'error' });
  };
  const stopDispatcher = async () => {
    if (dispatcher) await stopProcess(dispatcher, 'SIGTERM');
    dispatcher = null;
  };
  const backUp = (name: string) => {
    const file = join(scratch, `${name}.dump`);
    execFileSync('pg_dump', ['--format=custom', `--file=${file}`, superuserUrl]);
    return file;
  };
  /** As an operator restores: the broker's workers stopped, every table of the backup put back. */
  const restore = (file: string) => {
    execFileSync('pg_restore', ['--clean', '--if-exists', '--single-transaction', `--dbname=${superuserUrl}`, file]);
  };
  const delivered = (itemId: string) =>
    eventually(async () => (await feedItemIds(broker.url, partner.feedKey)).includes(itemId), 30_000, 100);

  beforeAll(async () => {
    builtEntry('dispatcher');
    broker = await startBroker({
      dispatcher: false,
      env: { RECONCILE_AFTER_MS: '1000', RECONCILE_INTERVAL_MS: '500' },
    });
    superuserUrl = databaseUrl(new URL(broker.env.DATABASE_URL).pathname.slice(1));
    partner = await registerPartner(broker.url, broker.adminKey, {
      name: 'CERT-Restore',
      relation: 'peer',
      communities: ['eu-lea'],
    });
    steps = await startDispatchSteps(broker);
    startDispatcher();
  });

  afterAll(async () => {
    await stopDispatcher();
    await steps?.close();
    await broker?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('delivers an item published after the restore (back up, publish, restore, publish again)', async () => {
    const backup = backUp('before-publishing');
    const first = await publishItem(broker.url, broker.analystKey, {
      title: 'Published before the restore',
      tlp: 'TLP:CLEAR',
    });
    await delivered(first.id);

    await stopDispatcher();
    restore(backup);
    startDispatcher();

    const second = await publishItem(broker.url, broker.analystKey, {
      title: 'Published after the restore',
      tlp: 'TLP:CLEAR',
    });
    await delivered(second.id);
    expect(await feedItemIds(broker.url, partner.feedKey)).toEqual([second.id]);
  });

  it('routes again an item the restored database had handed to the queue, although Redis keeps its job as completed', async () => {
    await stopDispatcher();
    const item = await publishItem(broker.url, broker.analystKey, {
      title: 'Queued when the backup was taken',
      tlp: 'TLP:CLEAR',
    });
    // The relay hands the row to the routing queue; no worker runs yet.
    const queue = new Queue(QueueName.Routing, {
      connection: redisConnection(broker.config.redis.url),
      prefix: broker.config.redis.prefix,
    });
    try {
      const relay = new OutboxRelay(broker.config, new Transactions(broker.db), new OutboxRepository(broker.db), queue);
      expect(await relay.relayOnce()).toBe(1);
      const backup = backUp('while-queued');

      startDispatcher();
      await delivered(item.id);
      await stopDispatcher();
      const [{ job_key: jobKey }]: { job_key: string }[] = await broker.db.query(
        'SELECT o.job_key FROM outbox o JOIN item_versions v ON v.id = o.item_version_id WHERE v.item_id = $1',
        [item.id],
      );
      expect(await (await queue.getJob(`route-${jobKey}`))?.getState()).toBe('completed');

      restore(backup);
      expect(await feedItemIds(broker.url, partner.feedKey)).not.toContain(item.id);
      startDispatcher();
      await delivered(item.id);
    } finally {
      await queue.close();
    }
  });

  it('sends again a delivery the restored database still has queued, although Redis keeps its job as completed', async () => {
    await stopDispatcher();
    const item = await publishItem(broker.url, broker.analystKey, {
      title: 'Routed, not yet delivered, when the backup was taken',
      tlp: 'TLP:CLEAR',
    });
    const [{ id: versionId }]: { id: string }[] = await broker.db.query(
      'SELECT id FROM item_versions WHERE item_id = $1',
      [item.id],
    );
    await steps.get(RoutingService).route(versionId);
    const [{ id: deliveryId, state }]: { id: string; state: string }[] = await broker.db.query(
      'SELECT id, state FROM deliveries WHERE item_version_id = $1',
      [versionId],
    );
    expect(state).toBe('queued');
    const backup = backUp('deliveries-queued');

    startDispatcher();
    await delivered(item.id);
    await stopDispatcher();
    // A feed delivery goes in a batch on the feed-deliveries queue: Redis keeps that job as completed.
    const queue = new Queue(QueueName.FeedDeliveries, {
      connection: redisConnection(broker.config.redis.url),
      prefix: broker.config.redis.prefix,
    });
    try {
      expect(await (await queue.getJob(feedDeliveriesJobId([deliveryId])))?.getState()).toBe('completed');
    } finally {
      await queue.close();
    }

    restore(backup);
    expect(await feedItemIds(broker.url, partner.feedKey)).not.toContain(item.id);
    startDispatcher();
    await delivered(item.id);
    const [after]: { state: string; count: string }[] = await broker.db.query(
      'SELECT d.state, (SELECT count(*) FROM feed_entries f WHERE f.delivery_id = d.id) AS count FROM deliveries d WHERE d.id = $1',
      [deliveryId],
    );
    expect(after).toEqual({ state: 'delivered', count: '1' });
  });
});
