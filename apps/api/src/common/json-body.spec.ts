import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-body';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('jsonDepthExceeds', () => {
  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(jsonDepthExceeds(bytes(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(bytes(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(bytes(`{"a":{"b":[{"c":1}]}}`), 3)).toBe(true);
    expect(jsonDepthExceeds(bytes(`{"a":{"b":[{"c":1}]}}`), 4)).toBe(false);
  });

  it('counts depth, not the number of objects side by side', () => {
    const wide = `[${Array.from({ length: 10_000 }, () => '{"a":[1]}').join(',')}]`;
    expect(jsonDepthExceeds(bytes(wide), 3)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(bytes(`{"title":"[[[[[[{{{{{{","body":"a \\" [[[[[[[[ \\\\"}`), 2)).toBe(false);
    expect(jsonDepthExceeds(bytes(`{"a":"\\\\","b":[[[1]]]}`), 3)).toBe(true);
  });

  it('is not fooled by multi-byte UTF-8', () => {
    expect(jsonDepthExceeds(bytes(`{"t":"« [ » 東京 \u{1f600} ["}`), 1)).toBe(false);
  });

  it('reads 100,000 levels (2 × 100 kB) in one pass without recursion', () => {
    expect(jsonDepthExceeds(bytes(nested(100_000)), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(bytes(`{"a":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_001)}`), MAX_JSON_DEPTH)).toBe(
      true,
    );
  });
});
