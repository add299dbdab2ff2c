/**
 * A key's algorithm as the API stores it (openpgp.js's names: the algorithm, then the curve or the
 * size in bits, e.g. `eddsaLegacy ed25519Legacy`, `rsaEncryptSign 4096`) written as people name it.
 * Pure: no DOM.
 */
const CURVES: Record<string, string> = {
  ed25519Legacy: 'Ed25519',
  curve25519Legacy: 'Curve25519',
  nistP256: 'NIST P-256',
  nistP384: 'NIST P-384',
  nistP521: 'NIST P-521',
  brainpoolP256r1: 'Brainpool P-256',
  brainpoolP384r1: 'Brainpool P-384',
  brainpoolP512r1: 'Brainpool P-512',
  secp256k1: 'secp256k1',
};

/** The parts that are there, one space apart. */
const words = (...parts: string[]) => parts.filter(Boolean).join(' ');
const curve = (name: string) => CURVES[name] ?? name;

const NAMES: Record<string, (detail: string) => string> = {
  rsaEncryptSign: (bits) => words('RSA', bits),
  rsaSign: (bits) => words('RSA', bits, '(signing only)'),
  rsaEncrypt: (bits) => words('RSA', bits, '(encryption only)'),
  dsa: (bits) => words('DSA', bits),
  elgamal: (bits) => words('ElGamal', bits),
  eddsaLegacy: (name) => words(curve(name), '(EdDSA, v4 form)'),
  ecdsa: (name) => words('ECDSA', curve(name)),
  ecdh: (name) => words('ECDH', curve(name)),
  ed25519: () => 'Ed25519',
  ed448: () => 'Ed448',
  x25519: () => 'X25519',
  x448: () => 'X448',
};

export function readableAlgorithm(stored: string): string {
  const [algorithm, detail = ''] = stored.trim().split(/\s+/, 2);
  const name = NAMES[algorithm];
  return name ? name(detail) : stored;
}
