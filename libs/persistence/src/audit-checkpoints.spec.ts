import { describe, expect, it } from 'vitest';
import { checkpointText, parseCheckpointText } from './audit-checkpoints';

const HASH = 'ab'.repeat(32);

describe('the checkpoint document', () => {
  it('states the event, its hash and the time in lines a person reads, and reads back the same', () => {
    const content = { seq: 4211, hash: HASH, at: new Date('2026-03-01T08:30:00.123Z') };
    const text = checkpointText(content);
    expect(text).toBe(`tlp-broker audit checkpoint\nseq: 4211\nhash: ${HASH}\nat: 2026-03-01T08:30:00.123Z\n`);
    expect(parseCheckpointText(text)).toEqual(content);
    // As a cleartext signature hands it back: CRLF line ends, no final newline.
    expect(parseCheckpointText(text.trimEnd().replace(/\n/g, '\r\n'))).toEqual(content);
  });

  it('is nothing else', () => {
    const good = checkpointText({ seq: 1, hash: HASH, at: new Date(0) });
    for (const text of [
      '',
      good.replace('tlp-broker audit checkpoint', 'tlp-broker team profile'),
      good.replace('seq: 1', 'seq: 01'),
      good.replace('seq: 1', 'seq: -1'),
      good.replace(HASH, HASH.toUpperCase()),
      good.replace(HASH, HASH.slice(2)),
      good.replace('.000Z', 'Z'),
      `${good}note: extra line\n`,
    ]) {
      expect(parseCheckpointText(text), text).toBeNull();
    }
  });
});
