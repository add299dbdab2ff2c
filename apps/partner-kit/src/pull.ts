import type { Publisher } from '@tlp-broker/stix';
import { TLP_LABELS, TlpLabel } from '@tlp-broker/tlp';
import type { BrokerClient, FeedEntry } from './broker-client';
import { ItemDocument, readDocument, RecallDocument } from './documents';
import { ItemRecord, StepRecord, stepOutputs } from './item-outputs';
import type { DeliveryRecord, LocalStore } from './local-store';
import { PartnerKey, RefusedMessage } from './opener';
import type { PinnedTeamKeys } from './team-keys';

/** How often a long pull records its progress. */
const SAVE_EVERY_MS = 5_000;

export interface PullContext {
  readonly broker: BrokerClient;
  readonly key: PartnerKey;
  readonly team: PinnedTeamKeys;
  readonly store: LocalStore;
}

export interface PullOptions {
  /** TLP:RED is opened and written only when the operator opts in. */
  readonly includeRed: boolean;
  readonly onStart?: (total: number) => void;
  readonly onEntry?: (entry: FeedEntry, outcome: DeliveryRecord['status']) => void;
}

export interface PullSummary {
  /** Entries taken from the feed in this run (new ones, and earlier ones tried again). */
  readonly entries: number;
  readonly items: number;
  readonly recalls: number;
  /** Item versions written, by label. */
  readonly byLabel: Record<TlpLabel, number>;
  /** TLP:RED entries left at the broker (not opened, not written): `--include-red` opens them. */
  readonly held: number;
  readonly refused: readonly { deliveryId: string; itemId: string; reason: string }[];
  readonly cursor: string | null;
}

/** Entries recorded as not opened that a run tries again: refusals always, TLP:RED once opted in. */
function retried(store: LocalStore, includeRed: boolean): string[] {
  return Object.entries(store.state.deliveries)
    .filter(([, record]) => record.status === 'refused' || (includeRed && record.status === 'held'))
    .map(([deliveryId]) => deliveryId);
}

/**
 * Takes what is new in the partner's feed, oldest first: opens each entry (decrypts, verifies the
 * pinned team signature), applies it, and records it, so that a run cut short or repeated (cron)
 * applies every entry exactly once. A refused entry is recorded with its reason and tried again on
 * the next run (after the operator pinned a rotated team key, for instance).
 */
export async function pull(context: PullContext, options: PullOptions): Promise<PullSummary> {
  const { broker, store } = context;
  const again = await Promise.all(
    retried(store, options.includeRed).map(async (id) => {
      const entry = await broker.entry(id);
      if (!entry) store.record(id, { ...store.state.deliveries[id], status: 'gone', reason: 'left the feed unopened' });
      return entry;
    }),
  );
  const fresh = (await broker.entriesSince(store.state.cursor)).filter((entry) => !store.state.deliveries[entry.id]);
  const entries = [...again.filter((entry): entry is FeedEntry => entry !== null), ...fresh].sort((a, b) =>
    a.deliveredAt.localeCompare(b.deliveredAt),
  );
  const summary = newSummary();
  options.onStart?.(entries.length);
  let savedAt = Date.now();
  for (const entry of entries) {
    const record = await take(context, entry, options.includeRed);
    store.record(entry.id, record);
    store.moveCursor(entry.deliveredAt);
    count(summary, entry, record);
    options.onEntry?.(entry, record.status);
    // A long first pull records its progress now and then: a run cut short resumes from there.
    if (Date.now() - savedAt > SAVE_EVERY_MS) {
      await store.save();
      savedAt = Date.now();
    }
  }
  await store.save();
  return { ...summary, entries: entries.length, cursor: store.state.cursor };
}

function newSummary() {
  return {
    items: 0,
    recalls: 0,
    byLabel: Object.fromEntries(TLP_LABELS.map((label) => [label, 0])) as Record<TlpLabel, number>,
    held: 0,
    refused: [] as { deliveryId: string; itemId: string; reason: string }[],
  };
}

function count(summary: ReturnType<typeof newSummary>, entry: FeedEntry, record: DeliveryRecord): void {
  if (record.status === 'held') summary.held += 1;
  else if (record.status === 'refused')
    summary.refused.push({ deliveryId: entry.id, itemId: entry.itemId, reason: record.reason ?? '' });
  else if (entry.entry === 'recall') summary.recalls += 1;
  else {
    summary.items += 1;
    summary.byLabel[record.tlp] += 1;
  }
}

async function take(context: PullContext, entry: FeedEntry, includeRed: boolean): Promise<DeliveryRecord> {
  const base = {
    itemId: entry.itemId,
    entry: entry.entry,
    version: entry.version,
    tlp: entry.tlp as TlpLabel,
    deliveredAt: entry.deliveredAt,
  };
  const held = context.store.state.items[entry.itemId];
  // TLP:RED stays at the broker, unopened, until the operator opts in; a recall of a RED item the
  // kit holds is applied whatever the choice, since it only removes.
  if (entry.tlp === 'TLP:RED' && !includeRed && (entry.entry === 'item' || !held))
    return { ...base, status: 'held', reason: 'TLP:RED: opened only with --include-red' };
  if (entry.entry === 'recall' && !held) return { ...base, status: 'applied', reason: 'nothing held of this item' };
  try {
    const opened = await context.key.open(entry.message, context.team.keys);
    const read = readDocument(entry, opened.text);
    if ('problem' in read) throw new RefusedMessage(read.problem);
    const publisher: Publisher = {
      name: read.document.publisher.name,
      since: context.team.since,
      contactEmail: context.team.contactEmail,
    };
    if (read.document.format === 'tlp-broker/item@1')
      await applyItem(context.store, entry, read.document, opened.text, publisher);
    else await applyRecall(context.store, entry, read.document, opened.text, publisher, includeRed);
    return { ...base, status: 'applied' };
  } catch (error) {
    if (error instanceof RefusedMessage) return { ...base, status: 'refused', reason: error.message };
    throw error;
  }
}

async function applyItem(
  store: LocalStore,
  entry: FeedEntry,
  document: ItemDocument,
  text: string,
  publisher: Publisher,
): Promise<void> {
  const item: ItemRecord = (store.state.items[document.id] ??= {
    itemId: document.id,
    kind: document.type,
    createdAt: document.publishedAt,
    steps: [],
  });
  const step: StepRecord = {
    deliveryId: entry.id,
    entry: 'item',
    version: document.version,
    tlp: document.tlp,
    pap: document.pap,
    severity: document.severity,
    at: document.publishedAt,
    indicators: document.indicators,
    title: document.title,
    summary: document.summary,
    body: document.body,
  };
  await addStep(store, item, step, publisher, [store.writeDocument(item.itemId, `v${document.version}.json`, text)]);
}

/** Removes the withdrawn versions (documents, their STIX object versions, their content in the state) and revokes. */
async function applyRecall(
  store: LocalStore,
  entry: FeedEntry,
  document: RecallDocument,
  text: string,
  publisher: Publisher,
  includeRed: boolean,
): Promise<void> {
  const item = store.state.items[document.id];
  const step: StepRecord = {
    deliveryId: entry.id,
    entry: 'recall',
    version: entry.version,
    tlp: document.tlp,
    pap: null,
    severity: null,
    at: document.issuedAt,
    indicators: [],
    title: '',
    summary: '',
    body: '',
    recall: { cause: document.recall, versions: document.versions },
  };
  const withdrawn = item.steps.filter((known) => known.entry === 'item' && document.versions.includes(known.version));
  for (const version of withdrawn) Object.assign(version, { title: '', summary: '', body: '' });
  store.removeObjectsOf(new Set(withdrawn.map((version) => version.deliveryId)));
  const files = [
    store.removeDocuments(
      item.itemId,
      withdrawn.map((version) => `v${version.version}.json`),
    ),
  ];
  if (document.tlp !== 'TLP:RED' || includeRed) files.push(store.writeDocument(item.itemId, 'recall.json', text));
  await addStep(store, item, step, publisher, files);
}

/**
 * Adds a step to its item (once: a run cut short applies it again) and writes what it serves: its
 * STIX object versions, the item's MISP event and STIX bundle, beside the step's own `files`.
 */
async function addStep(
  store: LocalStore,
  item: ItemRecord,
  step: StepRecord,
  publisher: Publisher,
  files: Promise<void>[],
): Promise<void> {
  if (!item.steps.some((known) => known.deliveryId === step.deliveryId)) item.steps.push(step);
  const outputs = stepOutputs(item, step.deliveryId, publisher);
  store.addObjects(outputs.objects, { tlp: step.tlp, itemId: item.itemId, deliveryId: step.deliveryId }, publisher);
  // Files of their own: written at once.
  await Promise.all([...files, store.writeEvent(outputs.event), store.writeBundle(item.itemId, step.deliveryId)]);
}
