import * as openpgp from 'openpgp';

/** The packets an encrypted message begins with: its session keys, or its encrypted data when it has none. */
const ENCRYPTED_FIRST = new Set<number>([
  openpgp.enums.packet.publicKeyEncryptedSessionKey,
  openpgp.enums.packet.symEncryptedSessionKey,
  openpgp.enums.packet.symmetricallyEncryptedData,
  openpgp.enums.packet.symEncryptedIntegrityProtectedData,
  openpgp.enums.packet.aeadEncryptedData,
]);

/**
 * Whether armored text is an encrypted OpenPGP message (`gpg --encrypt`, with or without
 * `--sign`). `-----BEGIN PGP MESSAGE-----` is also the armor of a message signed only, so its
 * first packet decides. Only the packet headers are looked at: the content of a signed message,
 * possibly compressed, is left for its one bounded read. Never throws: anything unreadable is
 * not an encrypted message.
 */
export async function isEncryptedMessage(text: string): Promise<boolean> {
  if (typeof text !== 'string' || !text.includes('-----BEGIN PGP MESSAGE-----')) return false;
  try {
    const { type, data } = await openpgp.unarmor(text);
    if (type !== openpgp.enums.armor.message || !(data instanceof Uint8Array)) return false;
    const tag = firstPacketTag(data);
    return tag !== null && ENCRYPTED_FIRST.has(tag);
  } catch {
    return false;
  }
}

/** The tag of the first packet that is not a marker packet (RFC 4880 §5.8: read and ignored), or null. */
function firstPacketTag(bytes: Uint8Array): number | null {
  let at = 0;
  while (at < bytes.length) {
    const header = packetHeader(bytes, at);
    if (header === null || header.tag !== openpgp.enums.packet.marker) return header?.tag ?? null;
    at = header.end;
  }
  return null;
}

/** A packet's tag and where the packet ends (RFC 4880 §4.2); null when unreadable or of partial length. */
function packetHeader(bytes: Uint8Array, at: number): { tag: number; end: number } | null {
  const first = bytes[at];
  if ((first & 0x80) === 0) return null;
  const newFormat = (first & 0x40) !== 0;
  const tag = newFormat ? first & 0x3f : (first >> 2) & 0x0f;
  const length = newFormat ? newFormatLength(bytes, at + 1) : oldFormatLength(bytes, at + 1, first & 0x03);
  return length === null ? { tag, end: bytes.length } : { tag, end: at + 1 + length.octets + length.body };
}

type Length = { octets: number; body: number } | null;

function newFormatLength(bytes: Uint8Array, at: number): Length {
  const first = bytes[at];
  if (first === undefined) return null;
  if (first < 192) return { octets: 1, body: first };
  if (first < 224) return { octets: 2, body: ((first - 192) << 8) + (bytes[at + 1] ?? 0) + 192 };
  return first === 255 ? { octets: 5, body: bigEndian(bytes, at + 1, 4) } : null;
}

function oldFormatLength(bytes: Uint8Array, at: number, lengthType: number): Length {
  const octets = [1, 2, 4][lengthType];
  return octets === undefined ? null : { octets, body: bigEndian(bytes, at, octets) };
}

function bigEndian(bytes: Uint8Array, at: number, octets: number): number {
  let value = 0;
  for (let i = 0; i < octets; i++) value = value * 256 + (bytes[at + i] ?? 0);
  return value;
}
