/**
 * Large feeds for tests of the pull forms at scale, written straight into PostgreSQL as the
 * superuser (the way TestRows writes single rows), and what PostgreSQL says of reading them.
 */

type FillDatabase = { superuser: { query(sql: string, parameters?: unknown[]): Promise<unknown> } };

/**
 * `count` entries above TLP:CLEAR in the channel, one item each (with its version, decision and
 * delivery), 10 µs apart from `firstUs` (with `offsetUs`, so two channels' entries interleave).
 * Ids are made from `name`, so the test can tell whose an entry is from its delivery.
 */
export async function seedFeed(
  db: FillDatabase,
  feed: { name: string; organisationId: string; channelId: string; authorId: string },
  count: number,
  firstUs: number,
): Promise<void> {
  const id = (what: string) => `md5($1 || ':${what}:' || g)::uuid`;
  const rows = `FROM generate_series(1, $2::int) g`;
  const p = [feed.name, count, feed.authorId, feed.organisationId, feed.channelId, firstUs];
  await db.superuser.query(
    `INSERT INTO items (id, kind, state, current_version, created_by) SELECT ${id('item')}, 'advisory', 'published', 1, $3 ${rows}`,
    p.slice(0, 3),
  );
  await db.superuser.query(
    `INSERT INTO item_versions (id, item_id, version, title, body, tlp, audience, severity, created_by)
     SELECT ${id('version')}, ${id('item')}, 1, 'advisory ' || g, 'body', 'TLP:AMBER', '{}', 'high', $3 ${rows}`,
    p.slice(0, 3),
  );
  await db.superuser.query(
    `INSERT INTO decisions (id, item_version_id, organisation_id, channel_id, allow, code, reason, decided_at)
     SELECT ${id('delivery')}, ${id('version')}, $3, $4, true, 'tlp.amber.named', 'allowed', now() ${rows}`,
    [feed.name, count, feed.organisationId, feed.channelId],
  );
  await db.superuser.query(
    `INSERT INTO deliveries (id, kind, decision_id, item_version_id, channel_id, organisation_id, state, key_fingerprint)
     SELECT ${id('delivery')}, 'item', ${id('delivery')}, ${id('version')}, $4, $3, 'delivered', 'F1F2' ${rows}`,
    [feed.name, count, feed.organisationId, feed.channelId],
  );
  await db.superuser.query(
    `INSERT INTO feed_entries (delivery_id, channel_id, item_id, item_version, entry, kind, tlp, key_fingerprint, message, added_at)
     SELECT ${id('delivery')}, $3, ${id('item')}, 1, 'item', 'advisory', 'TLP:AMBER', 'F1F2', 'message ' || g,
            'epoch'::timestamptz + ($4::bigint + g * 10) * interval '1 microsecond' ${rows}`,
    [feed.name, count, feed.channelId, firstUs],
  );
}

export interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

/** A plan node and every node under it. */
export const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

/** How PostgreSQL carried a query out (EXPLAIN ANALYZE with buffers). */
export async function queryPlan(db: FillDatabase, sql: string, parameters: unknown[]): Promise<PlanNode> {
  const rows = (await db.superuser.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, parameters)) as {
    'QUERY PLAN': { Plan: PlanNode }[];
  }[];
  return rows[0]['QUERY PLAN'][0].Plan;
}

/** Fresh planner statistics for every table. */
export async function analyze(db: FillDatabase): Promise<void> {
  await db.superuser.query('ANALYZE');
}

/** The deliveries of the channel's feed entries. */
export async function feedDeliveryIds(db: FillDatabase, channelId: string): Promise<Set<string>> {
  const rows = (await db.superuser.query('SELECT delivery_id FROM feed_entries WHERE channel_id = $1', [
    channelId,
  ])) as { delivery_id: string }[];
  return new Set(rows.map((row) => row.delivery_id));
}

/** The channel's feed entry at `offset` in the order entries were added. */
export async function feedEntryAt(
  db: FillDatabase,
  channelId: string,
  offset: number,
): Promise<{ itemId: string; deliveryId: string }> {
  const [row] = (await db.superuser.query(
    'SELECT item_id, delivery_id FROM feed_entries WHERE channel_id = $1 ORDER BY added_at OFFSET $2 LIMIT 1',
    [channelId, offset],
  )) as { item_id: string; delivery_id: string }[];
  return { itemId: row.item_id, deliveryId: row.delivery_id };
}
