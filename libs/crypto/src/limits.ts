import * as openpgp from 'openpgp';

/**
 * Bounds on OpenPGP input the broker reads from outside (partners' messages, keys, revocation
 * certificates, the team key file). OpenPGP data can be compressed, and a few hundred kilobytes
 * of it inflate to gigabytes: every read sets openpgp.js's decompression bound, which inflates as
 * a stream and stops at the bound, instead of its default of no bound at all.
 */

/** The default bound on signed content, once decompressed: far above any report a partner writes. */
export const DEFAULT_MAX_CONTENT_BYTES = 10 * 1024 * 1024;

/** A key block, or a revocation certificate, as armored text: keys with hundreds of certifications stay far below. */
export const MAX_KEY_BLOCK_CHARS = 256 * 1024;

/** Nothing legitimate in a key block is compressed; the bound only matters if openpgp.js ever inflates one. */
export const MAX_KEY_DECOMPRESSED_BYTES = 1024 * 1024;

/** Signatures read on one message: each by a known key costs a public-key operation. */
export const MAX_SIGNATURES = 16;

/** openpgp.js settings for reading untrusted input with decompression bounded to `maxBytes`. */
export function readConfig(maxBytes: number): Partial<openpgp.Config> {
  return { maxDecompressedMessageSize: maxBytes };
}

/** openpgp.js's error when the bound is reached (zlib, zip and bzip2 alike). */
export function isSizeLimitError(error: unknown): boolean {
  return error instanceof Error && /Maximum decompressed (message )?size exceeded/i.test(error.message);
}
