import { describe, expect, it } from 'vitest';
import { acceptCorrelationId, currentCorrelationId, newCorrelationId, runWithCorrelation } from './correlation';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('correlation ids', () => {
  it('are random UUIDs (version 4)', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newCorrelationId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });

  it('follow the work they were given to, awaited or not, and nothing outside it', async () => {
    expect(currentCorrelationId()).toBeUndefined();
    const seen: (string | undefined)[] = [];
    const later = runWithCorrelation('req-00000001', async () => {
      seen.push(currentCorrelationId());
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(currentCorrelationId());
      setImmediate(() => seen.push(currentCorrelationId()));
      return 'done';
    });
    expect(currentCorrelationId()).toBeUndefined();
    expect(await later).toBe('done');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['req-00000001', 'req-00000001', 'req-00000001']);
  });

  it('keep two pieces of work apart when they interleave, and nest', async () => {
    const read = (id: string) =>
      runWithCorrelation(id, async () => {
        await new Promise((resolve) => setTimeout(resolve, id === 'first-work' ? 10 : 1));
        const inner = runWithCorrelation('inner-work', () => currentCorrelationId());
        return [currentCorrelationId(), inner];
      });
    expect(await Promise.all([read('first-work'), read('second-work')])).toEqual([
      ['first-work', 'inner-work'],
      ['second-work', 'inner-work'],
    ]);
  });

  it('are made up for work that came without one', () => {
    expect(runWithCorrelation(undefined, currentCorrelationId)).toMatch(UUID_V4);
    expect(runWithCorrelation(null, currentCorrelationId)).toMatch(UUID_V4);
  });

  it.each([
    ['a proxy’s id', 'b1946ac92492d2347c6235b4d2611184', true],
    ['a UUID', '6f0b6c1e-5a56-4a5c-9d0e-0b1c8f3f2a11', true],
    ['dots, colons and underscores', 'edge.lb-1:req_000042', true],
    ['exactly 8 characters', 'abcdefgh', true],
    ['128 characters', 'x'.repeat(128), true],
    ['too short', 'abc1234', false],
    ['too long', 'x'.repeat(129), false],
    ['a line break (log injection)', 'abcdefgh\nlevel=error', false],
    ['blanks', 'abcd efgh', false],
    ['quotes and markup', '"><script>alert(1)</script>', false],
    ['non-ASCII letters', 'requête-0001', false],
  ])('take an incoming X-Request-Id as it is only when it is a safe token: %s', (_what, header, kept) => {
    const id = acceptCorrelationId(header);
    if (kept) expect(id).toBe(header);
    else expect(id).toMatch(UUID_V4);
  });

  it('make a new one when the header is missing or repeated', () => {
    expect(acceptCorrelationId(undefined)).toMatch(UUID_V4);
    expect(acceptCorrelationId(null)).toMatch(UUID_V4);
    expect(acceptCorrelationId(['first-request-id', 'second-request-id'])).toMatch(UUID_V4);
  });
});
