export { inspectPublicKey, keyStateAt, MIN_RSA_BITS } from './keys';
export type { Fingerprint, PublicKeyInfo, KeyCheck } from './keys';
export {
  sealOnce,
  addressTo,
  signOnly,
  signCleartext,
  signDetached,
  openSealed,
  readPublicKey,
  unlockPrivateKey,
  generateKeyPair,
  TeamKeyUnlockError,
} from './seal';
export type { SealedPayload, OpenedMessage, GeneratedKeyPair } from './seal';
export { OpenPgpService } from './openpgp.service';
export { TeamKeyService } from './team-key.service';
export type { TeamPublicKey, TeamKeyRecord } from './team-key.service';
export { CryptoModule } from './crypto.module';
export { signCheckpoint, checkpointSignatureChecker, verifyAudit } from './audit-checkpoint';
export { applyKeyUpdate, needsModernSoftware, normaliseFingerprint } from './keys';
export type { KeyRules, KeyUpdate } from './keys';
export { mimeEntityForItem, pgpMimeEncrypted, pgpMimeSigned, PgpMimeError } from './pgp-mime';
export type { MailHeaders } from './pgp-mime';
export { verifySignedBy, verifyDetachedBy } from './verify';
export type { KnownKey, VerifyResult, VerifyFailureReason } from './verify';
export { decryptToSigned, openIncomingMessage, readClearsigned, verifyIncomingDetached } from './incoming';
export { isEncryptedMessage } from './encrypted-message';
export type {
  KeyOwner,
  IncomingKeys,
  SignatureCheck,
  IncomingReadLimits,
  IncomingRefusal,
  OpenedIncoming,
  ClearsignedText,
  DecryptedSigned,
  DecryptedRefusal,
} from './incoming';
