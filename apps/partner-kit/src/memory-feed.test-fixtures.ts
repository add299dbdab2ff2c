import { randomUUID } from 'node:crypto';
import * as openpgp from 'openpgp';
import type { BrokerClient, FeedEntry } from './broker-client';

export type EntryHead = Pick<FeedEntry, 'entry' | 'itemId' | 'version' | 'type' | 'tlp' | 'pap'>;

/** A broker's JSON feed held in memory, as the kit reads it: entries added as the team delivers them. */
export class MemoryFeed {
  readonly entries: FeedEntry[] = [];
  private clock = Date.parse('2026-11-30T08:00:00Z');

  /** Adds an entry whose message is `text` signed by `signer` and encrypted to `to`. */
  async add(head: EntryHead, text: string, signer: openpgp.PrivateKey, to: openpgp.PublicKey): Promise<void> {
    const message = await openpgp.encrypt({
      message: await openpgp.createMessage({ text }),
      encryptionKeys: to,
      signingKeys: signer,
    });
    this.push(head, message);
  }

  /** Adds an entry with the message as it is. */
  push(head: EntryHead, message: string): void {
    this.clock += 1000;
    const deliveredAt = new Date(this.clock).toISOString().replace('Z', '123Z');
    this.entries.push({
      ...head,
      id: randomUUID(),
      keyFingerprint: null,
      publishedAt: deliveredAt,
      deliveredAt,
      message,
    });
  }

  /** The part of the broker's API `pull` calls. */
  client(): BrokerClient {
    return {
      entriesSince: async (since: string | null) =>
        this.entries.filter((entry) => since === null || entry.deliveredAt > since),
      entry: async (id: string) => this.entries.find((entry) => entry.id === id) ?? null,
    } as unknown as BrokerClient;
  }
}

/** An item document (`tlp-broker/item@1`) as the team signs it. */
export function itemDocument(
  item: { id: string; version: number; tlp: string; indicators: readonly string[]; body?: string },
  publisher = { name: 'Test CSIRT', fingerprint: 'X' },
): string {
  return JSON.stringify({
    format: 'tlp-broker/item@1',
    id: item.id,
    version: item.version,
    type: 'advisory',
    tlp: item.tlp,
    pap: null,
    severity: 'high',
    title: `Version ${item.version} title`,
    summary: '',
    body: item.body ?? `Body ${item.version}`,
    indicators: item.indicators.map((value) => ({ type: 'domain', value })),
    publishedAt: new Date(Date.parse('2026-11-30T08:00:00Z') + item.version * 60_000).toISOString(),
    publisher,
  });
}
