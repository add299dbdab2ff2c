import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type { FeedClaim, PartnerFeedEntity, PartnerFeedRepository } from '@tlp-broker/persistence';
import { FeedError } from './feed-http';
import type { MispFeedPoll } from './misp-feed-poll';
import { LEASE_MS, MAX_POLLS_AT_ONCE, PartnerFeedPoller } from './partner-feed-poller.service';
import type { PollControl, TaxiiFeedPoll } from './taxii-feed-poll';

const claim = (id: string, kind: 'taxii' | 'misp' = 'taxii'): FeedClaim => ({
  feed: { id, kind, name: `feed ${id}` } as PartnerFeedEntity,
  lease: '2026-03-01 10:10:00.123456+00',
});

function poller(available: FeedClaim[], poll: (claim: FeedClaim, control: PollControl) => Promise<unknown>) {
  const feeds = {
    claimDue: vi.fn(async (limit: number) => available.splice(0, limit)),
    release: vi.fn<(held: FeedClaim, error: string | null) => Promise<void>>(async () => undefined),
  };
  const taxii = { poll: vi.fn(poll) };
  const misp = { poll: vi.fn(poll) };
  const config = { partnerFeeds: { checkMs: 60_000, timeoutMs: 1_000 } } as unknown as AppConfig;
  const subject = new PartnerFeedPoller(
    config,
    feeds as unknown as PartnerFeedRepository,
    taxii as unknown as TaxiiFeedPoll,
    misp as unknown as MispFeedPoll,
  );
  return { subject, feeds, taxii, misp };
}

describe('PartnerFeedPoller', () => {
  it('polls each claimed feed by its kind and releases it with its error, or none', async () => {
    const p = poller([claim('ok'), claim('down', 'misp'), claim('bug')], async (held) => {
      if (held.feed.id === 'down') throw new FeedError('partner.example: connection failed (ECONNREFUSED)');
      if (held.feed.id === 'bug') throw new Error('relation "partner_feeds" does not exist');
      return { taken: 2, problem: null };
    });
    expect(await p.subject.startDue()).toBe(3);
    expect(p.feeds.claimDue).toHaveBeenCalledWith(MAX_POLLS_AT_ONCE, LEASE_MS);
    await p.subject.onApplicationShutdown();
    expect(p.misp.poll).toHaveBeenCalledTimes(1);
    expect(p.taxii.poll).toHaveBeenCalledTimes(2);
    const released = Object.fromEntries(p.feeds.release.mock.calls.map(([held, error]) => [held.feed.id, error]));
    expect(released).toEqual({
      ok: null,
      down: 'partner.example: connection failed (ECONNREFUSED)',
      bug: "the poll failed inside the broker (see the dispatcher's log)",
    });
  });

  it('claims no more than it has room for, and tells running polls to stop on shutdown', async () => {
    let finish!: () => void;
    const blocked = new Promise<void>((done) => (finish = done));
    const controls: PollControl[] = [];
    const p = poller(
      Array.from({ length: 6 }, (_, n) => claim(`f${n}`)),
      async (_held, control) => {
        controls.push(control);
        await blocked;
        return { taken: 0, problem: null };
      },
    );
    expect(await p.subject.startDue()).toBe(MAX_POLLS_AT_ONCE);
    expect(await p.subject.startDue()).toBe(0);
    expect(controls.every((control) => !control.stopping())).toBe(true);
    const stopped = p.subject.onApplicationShutdown();
    expect(controls.every((control) => control.stopping())).toBe(true);
    finish();
    await stopped;
    expect(p.feeds.release).toHaveBeenCalledTimes(MAX_POLLS_AT_ONCE);
    expect(await p.subject.startDue()).toBe(0);
  });
});
