import { describe, expect, it, vi } from 'vitest';
import type { FeedEntryRepository } from '@tlp-broker/persistence';
import { FeedResponse, FeedResponses } from './feed-responses';
import { fakePublishers } from './partner-view.test-fixtures';

function held(states: Record<string, string | null> = {}) {
  const entries = { stateOf: vi.fn(async (channel: string) => states[channel] ?? null) };
  return { states, entries, responses: new FeedResponses(entries as unknown as FeedEntryRepository, fakePublishers()) };
}

const answer = (text: string): FeedResponse => ({ body: Buffer.from(text), headers: { 'Content-Type': 'text/plain' } });

describe('FeedResponses', () => {
  it("keeps an answer while the channel's feed stays as it was, and builds it again once the feed changes", async () => {
    const { states, responses } = held({ 'channel-1': '100/1' });
    const build = vi.fn(async () => answer(`page at ${states['channel-1']}`));
    expect((await responses.answer('channel-1', 'page', build)).body.toString()).toBe('page at 100/1');
    expect((await responses.answer('channel-1', 'page', build)).body.toString()).toBe('page at 100/1');
    expect(build).toHaveBeenCalledTimes(1);
    states['channel-1'] = '101/1';
    expect((await responses.answer('channel-1', 'page', build)).body.toString()).toBe('page at 101/1');
    expect(build).toHaveBeenCalledTimes(2);
  });

  it('keeps answers per channel and per key: one channel never gets what was kept for another', async () => {
    const { responses } = held({ 'channel-1': 's', 'channel-2': 's' });
    await responses.answer('channel-1', 'page', async () => answer('channel 1'));
    expect((await responses.answer('channel-2', 'page', async () => answer('channel 2'))).body.toString()).toBe(
      'channel 2',
    );
    expect((await responses.answer('channel-1', 'other', async () => answer('other'))).body.toString()).toBe('other');
    expect(responses.kept('channel-1', 'page', await responses.stateOf('channel-1'))?.body.toString()).toBe(
      'channel 1',
    );
  });

  it('builds an answer once for requests that come together, and keeps no failed build', async () => {
    const { responses } = held();
    let finish: (response: FeedResponse) => void = () => undefined;
    const build = vi.fn(() => new Promise<FeedResponse>((resolve) => (finish = resolve)));
    const waiting = [responses.answer('channel-1', 'page', build), responses.answer('channel-1', 'page', build)];
    await vi.waitFor(() => expect(build).toHaveBeenCalledTimes(1));
    finish(answer('once'));
    expect((await Promise.all(waiting)).map((response) => response.body.toString())).toEqual(['once', 'once']);

    const failing = vi.fn(async () => Promise.reject(new Error('database gone')));
    await expect(responses.answer('channel-1', 'broken', failing)).rejects.toThrow('database gone');
    await expect(responses.answer('channel-1', 'broken', failing)).rejects.toThrow('database gone');
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it('keeps at most 32 MB, the least recently used going first, and nothing larger than 4 MB', async () => {
    const { responses } = held();
    const state = await responses.stateOf('channel-1');
    const mb = (n: number) => ({ body: Buffer.alloc(n * 1024 * 1024), headers: {} });
    responses.keep('channel-1', 'too large', state, mb(5));
    expect(responses.kept('channel-1', 'too large', state)).toBeUndefined();
    for (let i = 0; i < 8; i++) responses.keep('channel-1', `page ${i}`, state, mb(4));
    expect(responses.kept('channel-1', 'page 0', state)).toBeDefined();
    responses.keep('channel-1', 'page 8', state, mb(4));
    expect(responses.kept('channel-1', 'page 1', state)).toBeUndefined();
    expect(responses.kept('channel-1', 'page 0', state)).toBeDefined();
    expect(responses.kept('channel-1', 'page 8', state)).toBeDefined();
  });
});
