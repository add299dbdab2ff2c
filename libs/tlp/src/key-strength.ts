/** RSA below this many bits is refused for new keys and for encryption above TLP:CLEAR. */
export const MIN_RSA_BITS = 3072;

const WEAK_ALGORITHMS: Readonly<Record<string, string>> = {
  dsa: 'DSA is no longer accepted',
  elgamal: 'ElGamal is no longer accepted',
};

/**
 * Why a key of this algorithm and size is too weak, or null when it is strong enough. `algorithm`
 * is openpgp.js's name ("rsaEncryptSign", "eddsaLegacy ed25519Legacy", "ecdh curve25519Legacy"…).
 */
export function keyWeakness(algorithm: string, bits: number | null): string | null {
  const name = algorithm.split(' ')[0];
  if (name in WEAK_ALGORITHMS) return WEAK_ALGORITHMS[name];
  if (name.startsWith('rsa') && (bits === null || bits < MIN_RSA_BITS)) {
    return `RSA ${bits ?? '?'} bits, under the ${MIN_RSA_BITS} bits required`;
  }
  return null;
}
