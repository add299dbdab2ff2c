import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { identity, MispEvent, PAP_MARKINGS, Publisher, StixObject, TLP_MARKINGS } from '@tlp-broker/stix';
import type { TlpLabel } from '@tlp-broker/tlp';
import { v5 as uuidv5 } from 'uuid';
import type { LocalCollectionSource, LocalObjectRecord } from './collection';
import type { ItemRecord } from './item-outputs';
import { MispIndex } from './misp-index';
import { writePrivateFile } from './settings';

/** What became of one feed entry. */
export interface DeliveryRecord {
  readonly itemId: string;
  readonly entry: 'item' | 'recall';
  readonly version: number;
  readonly tlp: TlpLabel;
  readonly deliveredAt: string;
  /**
   * `held`: TLP:RED, kept at the broker until the operator opts in; `refused`: not opened (see
   * `reason`); `gone`: held or refused, and since removed from the feed (retracted or withdrawn).
   */
  readonly status: 'applied' | 'held' | 'refused' | 'gone';
  readonly reason?: string;
}

export interface KitState {
  readonly format: 'tlp-broker-partner/state@1';
  /** The `deliveredAt` of the newest entry taken from the feed: the next pull asks for what came after. */
  cursor: string | null;
  readonly deliveries: Record<string, DeliveryRecord>;
  readonly items: Record<string, ItemRecord>;
}

const emptyState = (): KitState => ({ format: 'tlp-broker-partner/state@1', cursor: null, deliveries: {}, items: {} });

/** Where things are under the output directory. */
export const outPaths = (out: string) => ({
  json: (itemId: string, name: string) => join(out, 'json', itemId, name),
  jsonItem: (itemId: string) => join(out, 'json', itemId),
  bundle: (itemId: string) => join(out, 'stix', `${itemId}.json`),
  misp: join(out, 'misp'),
  event: (uuid: string) => join(out, 'misp', `${uuid}.json`),
  collection: join(out, 'taxii', 'collection.jsonl'),
});

const BUNDLE_NAMESPACE = '0d6b3c0e-2f8e-5b1a-9c4d-7e2a1f6b8c30';

/**
 * The kit's files: its state (in its home) and what it writes for the partner's tools (in the
 * output directory). Every file is the owner's only (0600) and written whole by rename, so
 * `serve` and the partner's tools never read half a file, and a pull cut short leaves the last
 * good state: what it had not recorded is applied again, to the same result.
 */
export class LocalStore {
  private changed = false;
  /** The collection's records by item, and the deliveries that added records: a pull of thousands of entries stays linear. */
  private byItem = new Map<string | null, LocalObjectRecord[]>();
  private deliveries = new Set<string>();
  /** Directories made in this run: each is made once, not before every file written in it. */
  private readonly made = new Set<string>();

  private constructor(
    private readonly home: string,
    readonly out: string,
    readonly state: KitState,
    private collection: LocalObjectRecord[],
    private readonly misp: MispIndex,
  ) {
    this.reindex();
  }

  /** The kit's state alone (what was applied, and of which items): what `ack` names a delivery from. */
  static readState(home: string): Promise<KitState> {
    return readJson<KitState>(join(home, 'state.json'), emptyState());
  }

  static async open(home: string, out: string): Promise<LocalStore> {
    const state = await LocalStore.readState(home);
    const paths = outPaths(out);
    return new LocalStore(home, out, state, await readCollection(paths.collection), await MispIndex.open(paths.misp));
  }

  get paths() {
    return outPaths(this.out);
  }

  records(): readonly LocalObjectRecord[] {
    return this.collection;
  }

  record(deliveryId: string, record: DeliveryRecord): void {
    this.state.deliveries[deliveryId] = record;
    this.changed = true;
  }

  moveCursor(deliveredAt: string): void {
    if (this.state.cursor === null || deliveredAt > this.state.cursor) this.state.cursor = deliveredAt;
    this.changed = true;
  }

  /** Adds object versions, each a microsecond after the last; the team identity and markings come first. */
  addObjects(
    objects: readonly StixObject[],
    from: { tlp: TlpLabel; itemId: string; deliveryId: string },
    publisher: Publisher,
  ): void {
    if (this.collection.length === 0) {
      const fixed = [identity(publisher), ...Object.values(TLP_MARKINGS), ...Object.values(PAP_MARKINGS)];
      for (const object of fixed) this.push({ tlp: 'TLP:CLEAR', itemId: null, deliveryId: null, object });
    }
    // Applied again after a run cut short: the versions it added before are replaced, never doubled.
    if (this.deliveries.has(from.deliveryId)) this.removeObjectsOf(new Set([from.deliveryId]));
    for (const object of objects) this.push({ ...from, object });
    this.changed = true;
  }

  /** Removes the object versions some deliveries added (versions a recall withdraws). */
  removeObjectsOf(deliveryIds: ReadonlySet<string>): void {
    this.collection = this.collection.filter((record) => !record.deliveryId || !deliveryIds.has(record.deliveryId));
    this.reindex();
    this.changed = true;
  }

  /** The item's STIX bundle: the latest version of each of its objects, with the identity and markings they refer to. */
  async writeBundle(itemId: string, lastDeliveryId: string): Promise<void> {
    const latest = new Map<string, StixObject>();
    for (const record of this.byItem.get(itemId) ?? []) latest.set(record.object.id, record.object);
    const referenced = new Set([...latest.values()].flatMap((object) => refsOf(object)));
    const fixed = (this.byItem.get(null) ?? []).filter((record) => referenced.has(record.object.id));
    const objects = [...fixed.map((record) => record.object), ...latest.values()];
    const bundle = {
      type: 'bundle',
      id: `bundle--${uuidv5(`${itemId}:${lastDeliveryId}`, BUNDLE_NAMESPACE)}`,
      objects,
    };
    await this.write(this.paths.bundle(itemId), `${JSON.stringify(bundle, null, 2)}\n`);
  }

  async writeEvent(event: MispEvent): Promise<void> {
    await this.write(this.paths.event(event.uuid), `${JSON.stringify({ Event: event }, null, 2)}\n`);
    this.misp.put(event);
  }

  async writeDocument(itemId: string, name: string, text: string): Promise<void> {
    await this.write(this.paths.json(itemId, name), text.endsWith('\n') ? text : `${text}\n`);
  }

  async removeDocuments(itemId: string, names: readonly string[]): Promise<void> {
    await Promise.all(names.map((name) => rm(this.paths.json(itemId, name), { force: true })));
  }

  /** Writes what changed: the collection, the MISP manifest and hashes, then the state (last, so a crash repeats work, never skips it). */
  async save(): Promise<void> {
    await this.misp.save();
    if (!this.changed) return;
    await writePrivateFile(
      this.paths.collection,
      this.collection.map((record) => JSON.stringify(record)).join('\n') + '\n',
    );
    await writePrivateFile(join(this.home, 'state.json'), `${JSON.stringify(this.state)}\n`);
    this.changed = false;
  }

  private async write(path: string, content: string): Promise<void> {
    const directory = dirname(path);
    if (!this.made.has(directory)) {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      this.made.add(directory);
    }
    await writePrivateFile(path, content, true);
  }

  private push(record: Omit<LocalObjectRecord, 'dateAdded'>): void {
    const last = this.collection[this.collection.length - 1]?.dateAdded ?? 0;
    const added = { ...record, dateAdded: Math.max(Date.now() * 1000, last + 1) };
    this.collection.push(added);
    this.index(added);
  }

  private reindex(): void {
    this.byItem = new Map();
    this.deliveries = new Set();
    for (const record of this.collection) this.index(record);
  }

  private index(record: LocalObjectRecord): void {
    const held = this.byItem.get(record.itemId);
    if (held) held.push(record);
    else this.byItem.set(record.itemId, [record]);
    if (record.deliveryId) this.deliveries.add(record.deliveryId);
  }
}

function refsOf(object: StixObject): string[] {
  const refs = [
    object.created_by_ref,
    ...(Array.isArray(object.object_marking_refs) ? object.object_marking_refs : []),
  ];
  return refs.filter((ref): ref is string => typeof ref === 'string');
}

async function readJson<T>(path: string, fallback: T): Promise<T> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  return text === null ? fallback : (JSON.parse(text) as T);
}

async function readCollection(path: string): Promise<LocalObjectRecord[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LocalObjectRecord);
}

/** The collection as `serve` reads it: read again whenever `pull` has replaced the file. */
export function collectionFile(out: string): LocalCollectionSource {
  const path = outPaths(out).collection;
  let cached: { mtimeMs: number; size: number; records: LocalObjectRecord[] } | null = null;
  return {
    async records() {
      const info = await stat(path).catch(() => null);
      if (!info) return [];
      if (!cached || cached.mtimeMs !== info.mtimeMs || cached.size !== info.size)
        cached = { mtimeMs: info.mtimeMs, size: info.size, records: await readCollection(path) };
      return cached.records;
    },
  };
}
