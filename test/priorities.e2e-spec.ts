import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { sleep } from '@tlp-broker/harness';
import { eventually } from './support/http';
import { publishItem } from './support/items';
import type { ItemKind } from '@tlp-broker/domain';
import { registerPartner } from './support/partners';

// Four batches of feed deliveries (50 each) per item: the report's last ones are still queued when the alert comes.
const PARTNERS = 200;

/**
 * An alert published while a bulk report is being fanned out overtakes it: deliveries are served
 * by priority (alerts first, annual reports last), so the alert does not wait for the report's
 * queue to drain. The dispatcher carries one job (one batch of feed deliveries) at a time here, so
 * that the order is plain to see.
 */
describe('priorities', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ env: { DELIVERY_CONCURRENCY: '1' } });
    for (let start = 0; start < PARTNERS; start += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          registerPartner(broker.url, broker.adminKey, {
            name: `Bulk partner ${start + k}`,
            relation: 'peer',
            communities: ['eu-csirt'],
          }),
        ),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await broker?.close();
  });

  const publish = async (type: ItemKind, title: string) =>
    (
      await publishItem(broker.url, broker.analystKey, {
        type,
        title,
        body: title,
        tlp: 'TLP:GREEN',
        audience: { communities: ['eu-csirt'] },
      })
    ).id;

  const delivered = async (itemId: string): Promise<{ state: string; delivered_at: Date | null }[]> =>
    broker.db.query(
      `SELECT d.state, d.delivered_at FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id WHERE v.item_id = $1`,
      [itemId],
    );

  it('delivers an alert ahead of a bulk report fan-out already queued', async () => {
    // The report's deliveries are held (row locks, as a slow database would) as soon as they exist:
    // its first batch waits at its hand-over and the others wait in the queue, however fast the
    // dispatcher works through batches.
    const holder = broker.db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    let alertDone: { state: string; delivered_at: Date | null }[];
    let report: string;
    try {
      report = await publish('annual-report', 'Annual threat assessment');
      await eventually(async () => (await delivered(report)).length === PARTNERS, 20_000, 5);
      await holder.query(
        `SELECT d.id FROM deliveries d JOIN item_versions v ON v.id = d.item_version_id WHERE v.item_id = $1 FOR UPDATE`,
        [report],
      );
      expect((await delivered(report)).filter((row) => row.state === 'delivered').length).toBeLessThan(PARTNERS);
      // …when an alert is published to the same partners: routed, its batches queued behind the held one.
      const alert = await publish('alert', 'Active exploitation of a VPN appliance');
      await eventually(async () => (await delivered(alert)).length === PARTNERS);
      await sleep(1_000);
      await holder.commitTransaction();
      alertDone = await eventually(async () => {
        const rows = await delivered(alert);
        return rows.length === PARTNERS && rows.every((row) => row.state === 'delivered') ? rows : undefined;
      }, 60_000);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
    const reportAtAlertDone = await delivered(report);
    const lastAlert = Math.max(...alertDone.map((row) => row.delivered_at!.getTime()));
    // Every alert delivery was made while report deliveries were still waiting.
    const reportAfter = reportAtAlertDone.filter(
      (row) => row.state !== 'delivered' || row.delivered_at!.getTime() > lastAlert,
    ).length;
    expect(reportAfter).toBeGreaterThan(0);
    const firstAlert = Math.min(...alertDone.map((row) => row.delivered_at!.getTime()));
    const reportBetween = reportAtAlertDone.filter(
      (row) => row.delivered_at && row.delivered_at.getTime() > firstAlert && row.delivered_at.getTime() < lastAlert,
    ).length;
    // Once the alert's deliveries were queued, no report delivery was served before them (one may
    // already have been in progress).
    expect(reportBetween).toBeLessThanOrEqual(1);
    await eventually(async () => (await delivered(report)).every((row) => row.state === 'delivered'), 60_000);
  });
});
