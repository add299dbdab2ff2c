import * as openpgp from 'openpgp';
import { errorMessage, readKeyBlock } from './keys';
import { isSizeLimitError, readConfig } from './limits';
import { KnownKey, VerifyResult, verifyDetachedBy, verifySignedBy } from './verify';

/** A registered partner key and whom it belongs to: an organisation, or one of its contacts. */
export interface KeyOwner {
  readonly fingerprint: string;
  readonly armored: string;
  readonly organisationId: string;
  readonly contactId: string | null;
}

/** The keys an incoming message is read with. */
export interface IncomingKeys {
  /** The team's private keys, unlocked: the active one first, then retired ones. */
  readonly team: readonly openpgp.PrivateKey[];
  /** Every registered partner key (organisations' and contacts'), with its owner. */
  readonly registered: readonly KeyOwner[];
}

/**
 * What a message's signature proves about its sender. Only `verified` names a sender: the owner
 * of the registered key that made the signature, whatever the message says about itself.
 */
export type SignatureCheck =
  | { readonly state: 'verified'; readonly signer: KeyOwner; readonly digest: string }
  | { readonly state: 'unsigned' }
  | { readonly state: 'unknown-signer'; readonly keyIds: string[] }
  | {
      readonly state: 'invalid';
      readonly reason: 'bad-signature' | 'key-expired' | 'key-revoked' | 'key-unusable';
      readonly signer: KeyOwner | null;
      readonly detail: string;
    };

/** Bounds on each OpenPGP read of incoming material. */
export interface IncomingReadLimits {
  /** The most bytes of content accepted once decrypted and decompressed. */
  readonly maxContentBytes: number;
  /** The longest one OpenPGP read (parse, decrypt, verify) may take. */
  readonly timeoutMs: number;
}

export type IncomingRefusalReason = 'too-large' | 'timeout' | 'unreadable' | 'undecryptable' | 'not-text';

export interface IncomingRefusal {
  readonly ok: false;
  readonly reason: IncomingRefusalReason;
  readonly detail: string;
}

/** An OpenPGP message opened: its content, whether it was encrypted to the team, and its signature. */
export interface OpenedIncoming {
  readonly ok: true;
  readonly content: Uint8Array;
  readonly encrypted: boolean;
  /** Fingerprint of the team key it was encrypted to (the active one or a retired one). */
  readonly decryptedWith: string | null;
  readonly signature: SignatureCheck;
}

export interface ClearsignedText {
  readonly ok: true;
  /** The signed text only: whatever surrounds the signed block proves nothing and is left out. */
  readonly text: string;
  readonly signature: SignatureCheck;
}

const refuse = (reason: IncomingRefusalReason, detail: string): IncomingRefusal => ({ ok: false, reason, detail });

const TIMED_OUT = Symbol('timed out');
/** The key id written for a hidden recipient. */
const WILDCARD_KEY_ID = '0000000000000000';

/**
 * `work` bounded in time. A read that yields (decompression, streams) is abandoned when the time
 * is up; one that holds the thread to the end is still answered as timed out when it took too long.
 */
async function withinTime<T>(limits: IncomingReadLimits, work: () => Promise<T>): Promise<T | typeof TIMED_OUT> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const running = work();
  // Once abandoned, its failure has no one to report to.
  running.catch(() => undefined);
  try {
    const result = await Promise.race([
      running,
      new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), limits.timeoutMs))),
    ]);
    return performance.now() - started > limits.timeoutMs ? TIMED_OUT : result;
  } finally {
    clearTimeout(timer);
  }
}

function timedOut(limits: IncomingReadLimits, what: string): IncomingRefusal {
  return refuse('timeout', `${what} took longer than ${limits.timeoutMs} ms`);
}

function tooLarge(limits: IncomingReadLimits): IncomingRefusal {
  return refuse('too-large', `the content is larger than ${limits.maxContentBytes} bytes once decompressed`);
}

const ENCRYPTED_PACKETS = [
  openpgp.enums.packet.publicKeyEncryptedSessionKey,
  openpgp.enums.packet.symEncryptedSessionKey,
  openpgp.enums.packet.symmetricallyEncryptedData,
  openpgp.enums.packet.symEncryptedIntegrityProtectedData,
  openpgp.enums.packet.aeadEncryptedData,
];

/**
 * Opens an OpenPGP message a partner sent (armored or binary): decrypted with whichever team key
 * it was encrypted to, its signatures checked against every registered partner key. Unencrypted
 * signed messages (`gpg --sign`) are read too. Never throws: hostile input is a refusal.
 */
export async function openIncomingMessage(
  message: string | Uint8Array,
  keys: IncomingKeys,
  limits: IncomingReadLimits,
  now: Date = new Date(),
): Promise<OpenedIncoming | IncomingRefusal> {
  try {
    const read = await withinTime(limits, () =>
      typeof message === 'string'
        ? openpgp.readMessage({ armoredMessage: message, config: readConfig(limits.maxContentBytes) })
        : openpgp.readMessage({ binaryMessage: message, config: readConfig(limits.maxContentBytes) }),
    );
    if (read === TIMED_OUT) return timedOut(limits, 'reading the OpenPGP message');
    const encrypted = read.packets.filterByTag(...ENCRYPTED_PACKETS).length > 0;
    const opened = encrypted ? await decrypt(read, keys.team, limits, now) : await unwrap(read, limits, now);
    if (!opened.ok) return opened;
    if (opened.data.length > limits.maxContentBytes) return tooLarge(limits);
    const signature = await signatureOver(opened.signatures, opened.data, keys.registered, limits, now);
    if ('ok' in signature) return signature;
    return { ok: true, content: opened.data, encrypted, decryptedWith: opened.decryptedWith, signature };
  } catch (error) {
    if (isSizeLimitError(error)) return tooLarge(limits);
    return refuse('unreadable', `not a readable OpenPGP message (${errorMessage(error)})`);
  }
}

/** An encrypted message opened down to the signed message inside it. */
export interface DecryptedSigned {
  readonly ok: true;
  /**
   * The signed message inside, armored as if it had been sent signed only (`gpg --sign --armor`):
   * verifySignedBy reads it, and names the same signed statement (the same digest) either way.
   */
  readonly armored: string;
  /** Fingerprint of the team key it was encrypted to (the active one or a retired one); null for a hidden recipient. */
  readonly decryptedWith: string | null;
}

/** Why an encrypted message was not opened: as for any incoming message, or its inside was not signed. */
export interface DecryptedRefusal {
  readonly ok: false;
  readonly reason: IncomingRefusalReason | 'unsigned';
  readonly detail: string;
}

/**
 * Removes the encryption of an armored message a partner encrypted to a team key (`gpg --sign
 * --encrypt`, openpgp.js `encrypt({ signingKeys, encryptionKeys })`) and gives back the signed
 * message inside, for verifySignedBy to check as it checks a message sent signed only. Nothing is
 * verified here. Refused: a message encrypted to no team key (naming the key ids it was encrypted
 * to) or with a passphrase only, one whose inside is not signed, one larger than
 * `limits.maxContentBytes` once decrypted and decompressed. Never throws: hostile input is a refusal.
 */
export async function decryptToSigned(
  armored: string,
  team: readonly openpgp.PrivateKey[],
  limits: IncomingReadLimits,
  now: Date = new Date(),
): Promise<DecryptedSigned | DecryptedRefusal> {
  try {
    if (typeof armored !== 'string') return refuse('unreadable', 'not an armored OpenPGP message');
    const read = await withinTime(limits, () =>
      openpgp.readMessage({ armoredMessage: armored, config: readConfig(limits.maxContentBytes) }),
    );
    if (read === TIMED_OUT) return timedOut(limits, 'reading the OpenPGP message');
    if (read.packets.filterByTag(...ENCRYPTED_PACKETS).length === 0)
      return refuse('unreadable', 'not an encrypted OpenPGP message');
    const opened = await decrypt(read, team, limits, now);
    if (!opened.ok) return opened;
    if (opened.data.length > limits.maxContentBytes) return tooLarge(limits);
    if (opened.signatures.length === 0) {
      const detail = 'encrypted to the team key but not signed: sign it too (gpg --sign --encrypt)';
      return { ok: false, reason: 'unsigned', detail };
    }
    const signed = await withinTime(limits, () => signedMessage(opened.data, opened.signatures));
    if (signed === TIMED_OUT) return timedOut(limits, 'reading the signed message inside');
    return { ok: true, armored: signed, decryptedWith: opened.decryptedWith };
  } catch (error) {
    if (isSizeLimitError(error)) return tooLarge(limits);
    return refuse('unreadable', `not a readable OpenPGP message (${errorMessage(error)})`);
  }
}

/**
 * The decrypted content with its signature packets in front of it (RFC 4880 §11.3 allows a
 * signed message without one-pass signature packets). openpgp.js holds the trailing signatures of
 * a decrypted message apart from its packet list, so armoring that list would leave them out;
 * the signatures cover the literal data's content alone, so rebuilding the message changes nothing
 * they prove.
 */
async function signedMessage(data: Uint8Array, signatures: openpgp.VerifyMessageResult['signatures']): Promise<string> {
  const packets = new openpgp.PacketList<openpgp.AnyPacket>();
  for (const signature of signatures) packets.push(...(await signature.signature).packets);
  packets.push(...(await openpgp.createMessage({ binary: data })).packets);
  return new openpgp.Message(packets).armor();
}

type Unwrapped =
  | {
      ok: true;
      data: Uint8Array;
      signatures: openpgp.VerifyMessageResult['signatures'];
      decryptedWith: string | null;
    }
  | IncomingRefusal;

/** The key ids a message was encrypted to, as GnuPG prints them. */
function keyIdsOf(ids: readonly openpgp.KeyID[]): string[] {
  return [...new Set(ids.map((id) => id.toHex().toUpperCase()))];
}

async function decrypt(
  message: openpgp.Message<Uint8Array | string>,
  team: readonly openpgp.PrivateKey[],
  limits: IncomingReadLimits,
  now: Date,
): Promise<Unwrapped> {
  const recipients = message.getEncryptionKeyIDs();
  if (recipients.length === 0) {
    const passphrase = message.packets.filterByTag(openpgp.enums.packet.symEncryptedSessionKey).length > 0;
    return refuse(
      'undecryptable',
      passphrase
        ? 'encrypted with a passphrase only, to no public key: the team cannot read it (encrypt it to the team key)'
        : 'encrypted to no public key: the team cannot read it (encrypt it to the team key)',
    );
  }
  // A hidden recipient (gpg --throw-keyids) has the wildcard id: every team key may be the one.
  const hidden = recipients.some((id) => id.toHex() === WILDCARD_KEY_ID);
  const candidates = team.filter((key) => hidden || recipients.some((id) => key.getKeys(id).length > 0));
  const notOurs = `encrypted to key id ${keyIdsOf(recipients).join(', ')}, none of them a team key (current or retired)`;
  if (candidates.length === 0) return refuse('undecryptable', notOurs);
  let result: openpgp.DecryptMessageResult & { data: Uint8Array };
  try {
    const decrypted = await withinTime(limits, () =>
      openpgp.decrypt({
        message,
        decryptionKeys: [...candidates],
        date: now,
        format: 'binary',
        config: readConfig(limits.maxContentBytes),
      }),
    );
    if (decrypted === TIMED_OUT) return timedOut(limits, 'decrypting the message');
    result = decrypted;
  } catch (error) {
    if (isSizeLimitError(error)) return tooLarge(limits);
    const message = errorMessage(error);
    return /session key|decryption key/i.test(message)
      ? refuse('undecryptable', `${notOurs} (${message})`)
      : refuse('unreadable', `the encrypted message cannot be read (${message})`);
  }
  const opener = hidden ? null : candidates.find((key) => recipients.some((id) => key.getKeys(id).length > 0));
  return {
    ok: true,
    data: result.data,
    signatures: result.signatures,
    decryptedWith: opener ? opener.getFingerprint().toUpperCase() : null,
  };
}

/** A message that is not encrypted: its literal data and signatures, nothing checked yet. */
async function unwrap(
  message: openpgp.Message<Uint8Array | string>,
  limits: IncomingReadLimits,
  now: Date,
): Promise<Unwrapped> {
  const result = await withinTime(limits, () =>
    openpgp.verify({
      message,
      verificationKeys: [],
      date: now,
      format: 'binary',
      config: readConfig(limits.maxContentBytes),
    }),
  );
  if (result === TIMED_OUT) return timedOut(limits, 'reading the signed message');
  return { ok: true, data: result.data as Uint8Array, signatures: result.signatures, decryptedWith: null };
}

/**
 * The signatures found in an opened message, checked over its content as one detached signature
 * (each signature hashes the literal data alone): the same check, the same digest as any signed
 * material a partner sends.
 */
async function signatureOver(
  signatures: openpgp.VerifyMessageResult['signatures'],
  data: Uint8Array,
  registered: readonly KeyOwner[],
  limits: IncomingReadLimits,
  now: Date,
): Promise<SignatureCheck | IncomingRefusal> {
  if (signatures.length === 0) return { state: 'unsigned' };
  const keyIds = signatures.map((signature) => signature.keyID);
  const candidates = await holdersOf(keyIds, registered);
  if (candidates.length === 0) return { state: 'unknown-signer', keyIds: keyIdsOf(keyIds) };
  let armored: string;
  try {
    const packets = (await Promise.all(signatures.map((signature) => signature.signature))).flatMap((signature) => [
      ...signature.packets,
    ]);
    armored = new openpgp.Signature(toPacketList(packets)).armor();
  } catch (error) {
    return refuse('unreadable', `the message's signature cannot be read (${errorMessage(error)})`);
  }
  const result = await withinTime(limits, () =>
    verifyDetachedBy(armored, data, knownKeys(candidates), now, { maxContentBytes: limits.maxContentBytes }),
  );
  if (result === TIMED_OUT) return timedOut(limits, 'verifying the signature');
  return checked(result, candidates, keyIdsOf(keyIds));
}

function toPacketList(packets: openpgp.SignaturePacket[]): openpgp.PacketList<openpgp.SignaturePacket> {
  const list = new openpgp.PacketList<openpgp.SignaturePacket>();
  list.push(...packets);
  return list;
}

/**
 * Verifies a detached signature (PGP/MIME multipart/signed) over the exact bytes of the signed
 * entity against every registered partner key.
 */
export async function verifyIncomingDetached(
  armoredSignature: string,
  signed: Uint8Array,
  registered: readonly KeyOwner[],
  limits: IncomingReadLimits,
  now: Date = new Date(),
): Promise<SignatureCheck | IncomingRefusal> {
  try {
    const read = await withinTime(limits, () =>
      openpgp.readSignature({ armoredSignature, config: readConfig(limits.maxContentBytes) }),
    );
    if (read === TIMED_OUT) return timedOut(limits, 'reading the signature');
    const keyIds = read.getSigningKeyIDs();
    if (keyIds.length === 0) return { state: 'unsigned' };
    const candidates = await holdersOf(keyIds, registered);
    if (candidates.length === 0) return { state: 'unknown-signer', keyIds: keyIdsOf(keyIds) };
    const result = await withinTime(limits, () =>
      verifyDetachedBy(armoredSignature, signed, knownKeys(candidates), now, {
        maxContentBytes: limits.maxContentBytes,
      }),
    );
    if (result === TIMED_OUT) return timedOut(limits, 'verifying the signature');
    return checked(result, candidates, keyIdsOf(keyIds));
  } catch (error) {
    if (isSizeLimitError(error)) return tooLarge(limits);
    return refuse('unreadable', `not a readable OpenPGP signature (${errorMessage(error)})`);
  }
}

/**
 * Reads a cleartext-signed text (`gpg --clearsign`): the signed text, with its signature checked
 * against every registered partner key.
 */
export async function readClearsigned(
  cleartext: string,
  registered: readonly KeyOwner[],
  limits: IncomingReadLimits,
  now: Date = new Date(),
): Promise<ClearsignedText | IncomingRefusal> {
  try {
    const read = await withinTime(limits, () =>
      openpgp.readCleartextMessage({ cleartextMessage: cleartext, config: readConfig(limits.maxContentBytes) }),
    );
    if (read === TIMED_OUT) return timedOut(limits, 'reading the signed text');
    const text = read.getText();
    if (Buffer.byteLength(text, 'utf8') > limits.maxContentBytes) return tooLarge(limits);
    const keyIds = read.getSigningKeyIDs();
    const candidates = await holdersOf(keyIds, registered);
    if (candidates.length === 0)
      return { ok: true, text, signature: { state: 'unknown-signer', keyIds: keyIdsOf(keyIds) } };
    const result = await withinTime(limits, () =>
      verifySignedBy(cleartext, knownKeys(candidates), now, { maxContentBytes: limits.maxContentBytes }),
    );
    if (result === TIMED_OUT) return timedOut(limits, 'verifying the signed text');
    const signature = checked(result, candidates, keyIdsOf(keyIds));
    return 'ok' in signature ? signature : { ok: true, text, signature };
  } catch (error) {
    if (isSizeLimitError(error)) return tooLarge(limits);
    return refuse('unreadable', `not a readable cleartext-signed text (${errorMessage(error)})`);
  }
}

interface Holder {
  readonly owner: KeyOwner;
  readonly key: openpgp.PublicKey;
}

/** Registered keys read once per process: hundreds of them are looked through for every message. */
const readKeys = new Map<string, openpgp.PublicKey | null>();
const MAX_READ_KEYS = 10_000;

async function registeredKey(owner: KeyOwner): Promise<openpgp.PublicKey | null> {
  const cacheKey = `${owner.fingerprint}\n${owner.armored}`;
  if (readKeys.has(cacheKey)) return readKeys.get(cacheKey)!;
  let key: openpgp.PublicKey | null = null;
  try {
    const read = await readKeyBlock(owner.armored);
    const publicKey = read.isPrivate() ? read.toPublic() : read;
    // Armor that is not the registered fingerprint's key is not the registered key.
    if (publicKey.getFingerprint().toUpperCase() === owner.fingerprint.toUpperCase()) key = publicKey;
  } catch {
    key = null;
  }
  if (readKeys.size >= MAX_READ_KEYS) readKeys.clear();
  readKeys.set(cacheKey, key);
  return key;
}

/** The registered keys holding one of the signing key ids, each with its owner, in registration order. */
async function holdersOf(keyIds: readonly openpgp.KeyID[], registered: readonly KeyOwner[]): Promise<Holder[]> {
  const holders: Holder[] = [];
  for (const owner of registered) {
    const key = await registeredKey(owner);
    if (key && keyIds.some((id) => key.getKeys(id).length > 0)) holders.push({ owner, key });
  }
  return holders;
}

function knownKeys(holders: readonly Holder[]): KnownKey[] {
  return holders.map(({ owner }) => ({ fingerprint: owner.fingerprint, armored: owner.armored }));
}

/**
 * verify.ts's answer as a signature check. When two owners registered the same key, the first
 * registered is named: the signature proves the key, not which of them holds it.
 */
function checked(result: VerifyResult, holders: readonly Holder[], keyIds: string[]): SignatureCheck | IncomingRefusal {
  const ownerOf = (fingerprint: string) =>
    holders.find(({ owner }) => owner.fingerprint.toUpperCase() === fingerprint.toUpperCase())?.owner ?? null;
  if (result.ok) {
    const signer = ownerOf(result.signer);
    return signer ? { state: 'verified', signer, digest: result.digest } : { state: 'unknown-signer', keyIds };
  }
  switch (result.reason) {
    case 'unsigned':
      return { state: 'unsigned' };
    case 'unknown-signer':
      return { state: 'unknown-signer', keyIds };
    case 'bad-signature':
    case 'key-expired':
    case 'key-revoked':
    case 'key-unusable': {
      const named = holders.find(({ owner }) => result.detail.toUpperCase().includes(owner.fingerprint.toUpperCase()));
      return {
        state: 'invalid',
        reason: result.reason,
        signer: (named ?? holders[0])?.owner ?? null,
        detail: result.detail,
      };
    }
    case 'too-large':
    case 'not-text':
      return refuse(result.reason, result.detail);
    default:
      return refuse('unreadable', result.detail);
  }
}
