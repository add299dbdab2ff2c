import fc from 'fast-check';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { crc24, SharedArmor } from './armor';

function joined(head: Uint8Array, shared: Uint8Array): Uint8Array {
  const whole = new Uint8Array(head.length + shared.length);
  whole.set(head, 0);
  whole.set(shared, head.length);
  return whole;
}

function reference(head: Uint8Array, shared: Uint8Array): string {
  return openpgp.armor(openpgp.enums.armor.message, joined(head, shared), undefined, undefined, undefined, true);
}

describe('crc24', () => {
  it('is the RFC 4880 §6.1 CRC-24: the check value of "123456789" is 0x21CF02', () => {
    expect(crc24(new TextEncoder().encode('123456789'))).toBe(0x21cf02);
  });

  it('is 0xB704CE, its initial value, over no bytes', () => {
    expect(crc24(new Uint8Array())).toBe(0xb704ce);
  });
});

describe('SharedArmor', () => {
  it('writes exactly what openpgp.armor writes, checksum included, for any head and shared packet', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 700 }),
        fc.uint8Array({ minLength: 0, maxLength: 3000 }),
        (head, shared) => {
          expect(new SharedArmor(shared).armor(head)).toBe(reference(head, shared));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives each recipient its own text when one instance serves many heads of every length', () => {
    const shared = Uint8Array.from({ length: 20_480 }, (_, i) => (i * 131 + 7) & 0xff);
    const armor = new SharedArmor(shared);
    for (let length = 0; length <= 2 * 45 + 1; length++) {
      const head = Uint8Array.from({ length }, (_, i) => (i * 17 + length) & 0xff);
      expect(armor.armor(head)).toBe(reference(head, shared));
    }
  });

  it('is read back by openpgp.js as the same bytes', async () => {
    const shared = Uint8Array.from({ length: 5_000 }, (_, i) => (i * 31) & 0xff);
    const head = Uint8Array.from({ length: 94 }, (_, i) => i);
    const { data } = await openpgp.unarmor(new SharedArmor(shared).armor(head));
    expect(Buffer.from(data as Uint8Array).equals(Buffer.from(joined(head, shared)))).toBe(true);
  });
});
