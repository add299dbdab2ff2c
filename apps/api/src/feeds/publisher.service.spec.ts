import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type { TeamKeyService } from '@tlp-broker/crypto';
import { PublisherService } from './publisher.service';

const config = { teamKey: { userId: { name: 'Test CSIRT', email: 'csirt@test.example' } } } as unknown as AppConfig;

function service(created: Date[]) {
  const teamKey = {
    all: vi.fn(async () => created.map((createdAt) => ({ createdAt }))),
    publisherName: vi.fn(() => 'Test CSIRT'),
  };
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
});
