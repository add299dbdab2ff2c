import { Injectable } from '@nestjs/common';
import { FeedEntryRepository } from '@tlp-broker/persistence';
import { PublisherService } from './publisher.service';

/** An answer of a pull form: its bytes, and the headers that go with them (Content-Type, ETag, TAXII's…). */
export interface FeedResponse {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The answers kept at most, in bytes (all channels together: outside the JavaScript heap, in the
 * process's memory all the same), and the largest one kept.
 */
const HELD_BYTES = 32 * 1024 * 1024;
const LARGEST_HELD = 4 * 1024 * 1024;

interface Held {
  readonly state: string;
  readonly response: FeedResponse;
}

/**
 * Answers of the pull forms (a JSON feed page, a TAXII page, the MISP manifest…), kept in memory
 * while the channel's feed stays as it was, and built again once it changes. An answer is a
 * function of the channel's feed alone — its entries are never changed, only added and taken out,
 * and each of those writes the channel's clock (FeedEntryRepository.stateOf) — and of the team's
 * publisher identity; both are read for every request, so a kept answer is never one the feed has
 * moved on from. Who may read a channel is checked before (ApiKeyGuard, on every request): an
 * answer is only ever looked up under the requesting credential's own channel.
 *
 * Kept answers take at most HELD_BYTES, the least recently used going first; concurrent requests
 * for an answer not kept wait for one build.
 */
@Injectable()
export class FeedResponses {
  private readonly held = new Map<string, Held>();
  private readonly building = new Map<string, Promise<FeedResponse>>();
  private bytes = 0;

  constructor(
    private readonly entries: FeedEntryRepository,
    private readonly publishers: PublisherService,
  ) {}

  /** What the channel's answers depend on, now: a kept answer is good while this stays the same. */
  async stateOf(channelId: string): Promise<string> {
    const [feed, publisher] = await Promise.all([this.entries.stateOf(channelId), this.publishers.publisher()]);
    return JSON.stringify([feed, publisher.name, publisher.since.getTime(), publisher.contactEmail ?? null]);
  }

  /** The answer `key` of the channel, as kept for `state`, if it is. */
  kept(channelId: string, key: string, state: string): FeedResponse | undefined {
    const name = `${channelId}\n${key}`;
    const held = this.held.get(name);
    if (held?.state !== state) return undefined;
    // Most recently used last: the first ones go first.
    this.held.delete(name);
    this.held.set(name, held);
    return held.response;
  }

  /** Keeps the answer `key` of the channel for `state` (unless it is too large to). */
  keep(channelId: string, key: string, state: string, response: FeedResponse): void {
    const name = `${channelId}\n${key}`;
    this.forget(name);
    if (response.body.length > LARGEST_HELD) return;
    this.held.set(name, { state, response });
    this.bytes += response.body.length;
    for (const oldest of this.held.keys()) {
      if (this.bytes <= HELD_BYTES) break;
      this.forget(oldest);
    }
  }

  /** The answer `key` of the channel as its feed is now: the one kept, or one `build` makes (and that is kept). */
  async answer(channelId: string, key: string, build: () => Promise<FeedResponse>): Promise<FeedResponse> {
    const state = await this.stateOf(channelId);
    const kept = this.kept(channelId, key, state);
    if (kept) return kept;
    const name = `${channelId}\n${key}\n${state}`;
    let pending = this.building.get(name);
    if (!pending) {
      pending = build()
        .then((response) => {
          this.keep(channelId, key, state, response);
          return response;
        })
        .finally(() => this.building.delete(name));
      this.building.set(name, pending);
    }
    return pending;
  }

  private forget(name: string): void {
    const held = this.held.get(name);
    if (!held) return;
    this.held.delete(name);
    this.bytes -= held.response.body.length;
  }
}
