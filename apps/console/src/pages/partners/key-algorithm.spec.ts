import { describe, expect, it } from 'vitest';
import { readableAlgorithm } from './key-algorithm';

describe('readableAlgorithm', () => {
  it.each([
    ['eddsaLegacy ed25519Legacy', 'Ed25519 (EdDSA, v4 form)'],
    ['ed25519', 'Ed25519'],
    ['rsaEncryptSign 4096', 'RSA 4096'],
    ['rsaSign 3072', 'RSA 3072 (signing only)'],
    ['ecdsa nistP384', 'ECDSA NIST P-384'],
    ['ecdsa brainpoolP256r1', 'ECDSA Brainpool P-256'],
    ['dsa 2048', 'DSA 2048'],
  ])('writes %s as %s', (stored, readable) => {
    expect(readableAlgorithm(stored)).toBe(readable);
  });

  it('keeps an algorithm it does not know as the API wrote it', () => {
    expect(readableAlgorithm('kyber768 x25519')).toBe('kyber768 x25519');
    expect(readableAlgorithm('ecdsa someCurve')).toBe('ECDSA someCurve');
  });
});
