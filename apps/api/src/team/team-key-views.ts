import type { TeamPublicKey } from '@tlp-broker/crypto';

/** GET /team/key: the team's active OpenPGP public key. */
export interface TeamKeyView {
  fingerprint: string;
  algorithm: string;
  createdAt: Date;
  /** ASCII-armored. */
  publicKey: string;
}

/** POST /team/key/rotate: the retired key's fingerprint and the new key. */
export interface TeamKeyRotationView {
  previous: string;
  current: TeamPublicKey;
}
