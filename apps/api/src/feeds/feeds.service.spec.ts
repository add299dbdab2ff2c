import { BadRequestException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { FeedEntryRepository, PulledFeedEntry } from '@tlp-broker/persistence';
import { partnerPrincipal } from '../../../../test/support/mocks';
import { FeedsService } from './feeds.service';

const partner = partnerPrincipal();

const entry = (seq: string): PulledFeedEntry => ({
  seq,
  deliveryId: `delivery-${seq}`,
  entry: 'item',
  itemId: 'item-1',
  itemVersion: 2,
  kind: 'advisory',
  tlp: 'TLP:AMBER',
  pap: 'PAP:GREEN',
  handling: null,
  keyFingerprint: 'F1',
  message: `-----BEGIN PGP MESSAGE----- ${seq}`,
  addedAt: '2026-12-01T08:00:00.000001Z',
  publishedAt: new Date('2026-12-01T07:00:00Z'),
});

function service(rows: PulledFeedEntry[] = []) {
  const entries = {
    newestOfChannel: vi.fn(async (_channel: string, page: { limit: number; before?: number; sinceUs?: number }) =>
      rows.slice(0, page.limit),
    ),
    channelEntry: vi.fn(
      async (_channel: string, deliveryId: string) => rows.find((row) => row.deliveryId === deliveryId) ?? null,
    ),
  };
  return { entries, feeds: new FeedsService(entries as unknown as FeedEntryRepository) };
}

describe('FeedsService', () => {
  it("reads one more entry than the page to tell whether there is a next page, on the partner's own channel", async () => {
    const { entries, feeds } = service([entry('9'), entry('8'), entry('7')]);
    const page = await feeds.list(partner, 2, 10);
    expect(entries.newestOfChannel).toHaveBeenCalledWith('channel-1', { limit: 3, before: 10, sinceUs: undefined });
    expect(page.entries.map((view) => view.id)).toEqual(['delivery-9', 'delivery-8']);
    expect(page.next).toBe('8');
    expect((await feeds.list(partner, 3)).next).toBeNull();
  });

  it('shows an entry with its delivery time to the microsecond, in the order the ETag is computed over', async () => {
    const { feeds } = service([entry('5')]);
    const [view] = (await feeds.list(partner)).entries;
    expect(Object.keys(view)).toEqual([
      'id',
      'entry',
      'itemId',
      'version',
      'type',
      'tlp',
      'pap',
      'handling',
      'keyFingerprint',
      'publishedAt',
      'deliveredAt',
      'message',
    ]);
    expect(view).toMatchObject({
      id: 'delivery-5',
      version: 2,
      type: 'advisory',
      deliveredAt: '2026-12-01T08:00:00.000001Z',
    });
  });

  it('reads `since` to the microsecond in any time zone, dropping digits beyond the sixth', async () => {
    const { entries, feeds } = service();
    const sinceUs = async (since: string) => {
      await feeds.list(partner, 100, undefined, since);
      return entries.newestOfChannel.mock.lastCall![1].sinceUs;
    };
    const base = Date.parse('2026-12-01T08:00:00Z') * 1000;
    expect(await sinceUs('2026-12-01T08:00:00.123456789Z')).toBe(base + 123456);
    expect(await sinceUs('2026-12-01T09:00:00.5+01:00')).toBe(base + 500000);
    expect(await sinceUs('2026-12-01T08:00Z')).toBe(base);
  });

  it('answers a `since` that is no timestamp with 400 naming it, and reads nothing', async () => {
    const { entries, feeds } = service();
    for (const since of ['yesterday', '2026-12-01T08:00:00', '2026-13-45T08:00:00Z']) {
      const error = await feeds.list(partner, 100, undefined, since).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as BadRequestException).getResponse()).toMatchObject({ details: [{ field: 'since' }] });
    }
    expect(entries.newestOfChannel).not.toHaveBeenCalled();
  });

  it("finds one delivery in the partner's own feed, and answers 404 for any other", async () => {
    const { entries, feeds } = service([entry('4')]);
    expect((await feeds.get(partner, 'delivery-4')).message).toContain('4');
    expect(entries.channelEntry).toHaveBeenCalledWith('channel-1', 'delivery-4');
    await expect(feeds.get(partner, 'delivery-elsewhere')).rejects.toBeInstanceOf(NotFoundException);
  });
});
