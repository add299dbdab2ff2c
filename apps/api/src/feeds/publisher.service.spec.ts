import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type { TeamKeyService } from '@tlp-broker/crypto';
import { PublisherService } from './publisher.service';

const config = { teamKey: { userId: { name: 'Test CSIRT', email: 'csirt@test.example' } } } as unknown as AppConfig;

function service(created: Date[]) {
  return withKeys(vi.fn(async () => created.map((createdAt) => ({ createdAt }))));
}

function withKeys(all: ReturnType<typeof vi.fn>) {
  const teamKey = { all, publisherName: vi.fn(() => 'Test CSIRT') };
  return new PublisherService(config, teamKey as unknown as TeamKeyService);
}

describe('PublisherService', () => {
  it("names the team, its e-mail address, and its first key's creation as when it began publishing", async () => {
    const first = new Date('2025-01-01T00:00:00Z');
    expect(await service([new Date('2026-01-01T00:00:00Z'), first]).publisher()).toEqual({
      name: 'Test CSIRT',
      since: first,
      contactEmail: 'csirt@test.example',
    });
  });

  it('begins at the epoch before any team key exists', async () => {
    expect((await service([]).publisher()).since).toEqual(new Date(0));
  });

  it('reads the team keys once a minute at most, and again after a failed read', async () => {
    const all = vi.fn(async () => [{ createdAt: new Date('2025-01-01T00:00:00Z') }]);
    const publishers = withKeys(all);
    await Promise.all([publishers.publisher(1_000), publishers.publisher(1_001)]);
    await publishers.publisher(60_999);
    expect(all).toHaveBeenCalledTimes(1);
    await publishers.publisher(61_000);
    expect(all).toHaveBeenCalledTimes(2);

    const failing = vi.fn().mockRejectedValueOnce(new Error('database gone')).mockResolvedValue([]);
    const flaky = withKeys(failing);
    await expect(flaky.publisher(0)).rejects.toThrow('database gone');
    expect((await flaky.publisher(1)).since).toEqual(new Date(0));
  });
});
