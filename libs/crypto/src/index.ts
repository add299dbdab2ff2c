export { inspectPublicKey, keyStateAt, MIN_RSA_BITS } from './keys';
export type { Fingerprint, PublicKeyInfo, KeyCheck } from './keys';
export { sealOnce, addressTo, signOnly, openSealed, readPublicKey, unlockPrivateKey, generateKeyPair, TeamKeyUnlockError } from './seal';
export type { SealedPayload, OpenedMessage, GeneratedKeyPair } from './seal';
export { OpenPgpService } from './openpgp.service';
export { TeamKeyService } from './team-key.service';
export type { TeamPublicKey } from './team-key.service';
export { CryptoModule } from './crypto.module';
