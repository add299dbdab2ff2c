import * as openpgp from 'openpgp';

/**
 * ASCII armor (RFC 4880 §6) for many messages that end with the same large packet: one recipient's
 * session-key packet followed by the item's shared encrypted packet. The shared packet's lines and
 * checksum contribution are worked out once per item; each recipient then costs only the armor of
 * its own few hundred bytes. The text is byte for byte what `openpgp.armor(message, …, true)`
 * writes: 60 characters a line, no armor headers, and the CRC-24 line GnuPG 2.2 needs.
 */

const BYTES_PER_LINE = 45;
const CHARS_PER_LINE = 60;
const BEGIN = '-----BEGIN PGP MESSAGE-----\n\n';
const END = '-----END PGP MESSAGE-----\n';
/** Below this, the shared part is not worth preparing: plain openpgp.armor. */
const MIN_SHARED_BYTES = 4 * BYTES_PER_LINE;

// CRC-24 of RFC 4880 §6.1: init 0xB704CE, generator 0x864CFB, most significant bit first.
const CRC24_INIT = 0xb704ce;
const CRC24_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 16;
    for (let bit = 0; bit < 8; bit++) crc = (crc & 0x800000 ? (crc << 1) ^ 0x864cfb : crc << 1) & 0xffffff;
    table[i] = crc;
  }
  return table;
})();

export function crc24(bytes: Uint8Array, state = CRC24_INIT): number {
  let crc = state;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) & 0xffffff) ^ CRC24_TABLE[(crc >>> 16) ^ bytes[i]];
  return crc;
}

/**
 * The CRC-24 register is linear over GF(2): running it over `n` bytes from state s gives
 * Z^n(s) xor crc24(bytes, 0), where Z is the effect of one zero byte. Z^n is a 24×24 bit matrix,
 * kept as its 24 columns and raised by squaring (as zlib's crc32_combine does).
 */
type Matrix = Uint32Array<ArrayBuffer>;

function apply(matrix: Matrix, vector: number): number {
  let sum = 0;
  for (let i = 0; vector !== 0; i++, vector >>>= 1) if (vector & 1) sum ^= matrix[i];
  return sum;
}

function compose(outer: Matrix, inner: Matrix): Matrix {
  const out = new Uint32Array(24);
  for (let i = 0; i < 24; i++) out[i] = apply(outer, inner[i]);
  return out;
}

function zeroBytesOperator(count: number): Matrix {
  let power: Matrix = new Uint32Array(24);
  for (let i = 0; i < 24; i++) power[i] = crc24(new Uint8Array(1), 1 << i);
  let result: Matrix | null = null;
  for (let n = count; n > 0; n >>>= 1) {
    if (n & 1) result = result ? compose(power, result) : power;
    if (n > 1) power = compose(power, power);
  }
  return result ?? Uint32Array.from({ length: 24 }, (_, i) => 1 << i);
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Base64 of `bytes` in lines of 60 characters, each ending with a newline. */
function lines(bytes: Uint8Array): string {
  const encoded = base64(bytes);
  if (encoded.length <= CHARS_PER_LINE) return encoded.length ? `${encoded}\n` : '';
  const out: string[] = [];
  for (let at = 0; at < encoded.length; at += CHARS_PER_LINE) out.push(encoded.slice(at, at + CHARS_PER_LINE));
  out.push('');
  return out.join('\n');
}

interface Tail {
  /** The armored lines of the shared packet from `offset` on. */
  readonly text: string;
  /** crc24 of those bytes from state 0. */
  readonly crc: number;
  /** Z^(bytes from offset on). */
  readonly zeros: Matrix;
}

export class SharedArmor {
  /** One tail per offset into the shared packet at which a line starts (at most 45). */
  private readonly tails = new Map<number, Tail>();

  constructor(readonly shared: Uint8Array) {}

  /** The armored message `head || shared`, as openpgp.armor writes it with its checksum. */
  armor(head: Uint8Array): string {
    if (this.shared.length < MIN_SHARED_BYTES) {
      const whole = new Uint8Array(head.length + this.shared.length);
      whole.set(head, 0);
      whole.set(this.shared, head.length);
      return openpgp.armor(openpgp.enums.armor.message, whole, undefined, undefined, undefined, true);
    }
    // The recipient's part runs to the first line boundary at or after the end of `head`.
    const offset = (BYTES_PER_LINE - (head.length % BYTES_PER_LINE)) % BYTES_PER_LINE;
    const start = new Uint8Array(head.length + offset);
    start.set(head, 0);
    start.set(this.shared.subarray(0, offset), head.length);
    const tail = this.tail(offset);
    const crc = apply(tail.zeros, crc24(start)) ^ tail.crc;
    const checksum = base64(Uint8Array.of(crc >>> 16, (crc >>> 8) & 0xff, crc & 0xff));
    return `${BEGIN}${lines(start)}${tail.text}=${checksum}\n${END}`;
  }

  private tail(offset: number): Tail {
    let tail = this.tails.get(offset);
    if (!tail) {
      const bytes = this.shared.subarray(offset);
      tail = { text: lines(bytes), crc: crc24(bytes, 0), zeros: zeroBytesOperator(bytes.length) };
      this.tails.set(offset, tail);
    }
    return tail;
  }
}
