import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashLines, manifestEntry, MispEvent, MispManifestEntry } from '@tlp-broker/stix';
import { writePrivateFile } from './settings';

/**
 * manifest.json and hashes.csv of the kit's MISP feed, kept in memory and written when an event
 * changed: a pull that writes a thousand events does not read them back to index them.
 */
export class MispIndex {
  private changed = false;

  private constructor(
    private readonly directory: string,
    private readonly manifest: Map<string, MispManifestEntry>,
    private readonly hashes: Map<string, string[]>,
  ) {}

  static async open(directory: string): Promise<MispIndex> {
    const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8').catch(() => '{}')) as Record<
      string,
      MispManifestEntry
    >;
    const hashes = new Map<string, string[]>();
    for (const line of (await readFile(join(directory, 'hashes.csv'), 'utf8').catch(() => '')).split('\n')) {
      const uuid = line.split(',')[1];
      if (uuid) hashes.set(uuid, [...(hashes.get(uuid) ?? []), line]);
    }
    return new MispIndex(directory, new Map(Object.entries(manifest)), hashes);
  }

  put(event: MispEvent): void {
    this.manifest.set(event.uuid, manifestEntry(event));
    this.hashes.set(event.uuid, hashLines(event));
    this.changed = true;
  }

  /** Writes both files (events in uuid order) when an event changed since the last save. */
  async save(): Promise<void> {
    if (!this.changed) return;
    const uuids = [...this.manifest.keys()].sort();
    const manifest = Object.fromEntries(uuids.map((uuid) => [uuid, this.manifest.get(uuid)]));
    const hashes = uuids.flatMap((uuid) => this.hashes.get(uuid) ?? []);
    await writePrivateFile(join(this.directory, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await writePrivateFile(join(this.directory, 'hashes.csv'), hashes.length > 0 ? `${hashes.join('\n')}\n` : '');
    this.changed = false;
  }
}
