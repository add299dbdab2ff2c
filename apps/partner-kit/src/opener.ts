import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { KeySource, KitError } from './settings';

/** A message the kit will not use, with the reason a person reads. */
export class RefusedMessage extends Error {}

/** What was opened: the signed text and the team key that signed it. */
export interface Opened {
  readonly text: string;
  readonly signer: string;
}

/**
 * The partner's side of OpenPGP: opens what the team sent (decrypts with the partner's key,
 * verifies the team's signature with the pinned keys only) and seals what the partner sends
 * (signed with its key, encrypted to the team's).
 */
export interface PartnerKey {
  readonly fingerprint: string;
  /** When the partner's key expires; null if it does not. */
  expiresAt(): Promise<Date | null>;
  open(armored: string, pinned: readonly openpgp.PublicKey[]): Promise<Opened>;
  seal(text: string, team: openpgp.PublicKey): Promise<string>;
}

const ENCRYPTED = [openpgp.enums.packet.publicKeyEncryptedSessionKey, openpgp.enums.packet.symEncryptedSessionKey];
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

async function readArmored(armored: string): Promise<openpgp.Message<string>> {
  try {
    return await openpgp.readMessage({ armoredMessage: armored });
  } catch (error) {
    throw new RefusedMessage(`not a readable OpenPGP message (${messageOf(error)})`);
  }
}

/**
 * The signer among the pinned keys, or a refusal: unsigned, signed by another key than the
 * pinned ones (named by key id), or a signature that does not match.
 */
export async function pinnedSigner(
  signatures: openpgp.VerifyMessageResult['signatures'],
  pinned: readonly openpgp.PublicKey[],
): Promise<string> {
  if (signatures.length === 0) throw new RefusedMessage('the message is not signed');
  const problems: string[] = [];
  for (const signature of signatures) {
    const keyId = signature.keyID.toHex().toUpperCase();
    const owner = pinned.find((key) => key.getKeys(signature.keyID).length > 0);
    if (!owner) {
      problems.push(`signed by key ${keyId}, which is not the team's pinned key`);
      continue;
    }
    try {
      await signature.verified;
      return owner.getFingerprint().toUpperCase();
    } catch (error) {
      problems.push(`the signature by the team's key ${keyId} does not verify (${messageOf(error)})`);
    }
  }
  throw new RefusedMessage(problems.join('; '));
}

export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^Error \w+ message: /, '');
}

/** An armored private key file (the passphrase kept in the kit's settings, or none). */
export class KeyFilePartnerKey implements PartnerKey {
  private constructor(private readonly key: openpgp.PrivateKey) {}

  static async load(armoredKey: string, passphrase: string | null): Promise<KeyFilePartnerKey> {
    let key: openpgp.PrivateKey;
    try {
      key = await openpgp.readPrivateKey({ armoredKey });
    } catch (error) {
      throw new KitError(`the partner key is not an armored OpenPGP private key (${messageOf(error)})`);
    }
    if (key.isDecrypted()) return new KeyFilePartnerKey(key);
    if (!passphrase) throw new KitError('the partner key is protected: give its passphrase');
    try {
      return new KeyFilePartnerKey(await openpgp.decryptKey({ privateKey: key, passphrase }));
    } catch {
      throw new KitError('the passphrase does not unlock the partner key');
    }
  }

  get fingerprint(): string {
    return this.key.getFingerprint().toUpperCase();
  }

  async expiresAt(): Promise<Date | null> {
    const expiry = await this.key.getExpirationTime();
    return expiry instanceof Date ? expiry : null;
  }

  async open(armored: string, pinned: readonly openpgp.PublicKey[]): Promise<Opened> {
    const message = await readArmored(armored);
    const encrypted = message.packets.filterByTag(...ENCRYPTED).length > 0;
    try {
      const result = encrypted
        ? await openpgp.decrypt({ message, decryptionKeys: this.key, verificationKeys: [...pinned], format: 'utf8' })
        : await openpgp.verify({ message, verificationKeys: [...pinned], format: 'utf8' });
      return { text: result.data, signer: await pinnedSigner(result.signatures, pinned) };
    } catch (error) {
      if (error instanceof RefusedMessage) throw error;
      throw new RefusedMessage(`cannot be decrypted with the partner key (${messageOf(error)})`);
    }
  }

  async seal(text: string, team: openpgp.PublicKey): Promise<string> {
    return openpgp.encrypt({
      message: await openpgp.createMessage({ text }),
      encryptionKeys: team,
      signingKeys: this.key,
      format: 'armored',
    });
  }
}

/** GnuPG (2.2 or later): its agent holds the partner key and asks for the passphrase when it must. */
export class GpgPartnerKey implements PartnerKey {
  private constructor(
    private readonly source: Extract<KeySource, { kind: 'gpg' }>,
    readonly fingerprint: string,
    private readonly expiry: Date | null,
  ) {}

  static async load(source: Extract<KeySource, { kind: 'gpg' }>): Promise<GpgPartnerKey> {
    const listing = await gpg(source, [
      '--with-colons',
      '--list-secret-keys',
      ...(source.fingerprint ? [source.fingerprint] : []),
    ]);
    const keys = secretKeys(listing.toString('utf8'));
    if (keys.length === 0)
      throw new KitError(`GnuPG holds no secret key${source.fingerprint ? ` ${source.fingerprint}` : ''}`);
    if (keys.length > 1 && !source.fingerprint)
      throw new KitError(`GnuPG holds ${keys.length} secret keys: name the partner key with --gpg-key FINGERPRINT`);
    return new GpgPartnerKey(source, keys[0].fingerprint, keys[0].expiresAt);
  }

  async expiresAt(): Promise<Date | null> {
    return this.expiry;
  }

  /** GnuPG removes the encryption layer (`--unwrap`); the signature is checked here, with the pinned keys only. */
  async open(armored: string, pinned: readonly openpgp.PublicKey[]): Promise<Opened> {
    const outer = await readArmored(armored);
    let inner: openpgp.Message<Uint8Array | string> = outer;
    if (outer.packets.filterByTag(...ENCRYPTED).length > 0) {
      const unwrapped = await gpg(this.source, ['--unwrap'], armored).catch((error: unknown) => {
        throw new RefusedMessage(`GnuPG cannot decrypt it (${messageOf(error)})`);
      });
      inner = await openpgp.readMessage({ binaryMessage: new Uint8Array(unwrapped) });
    }
    const result = await openpgp.verify({ message: inner, verificationKeys: [...pinned], format: 'utf8' });
    return { text: result.data, signer: await pinnedSigner(result.signatures, pinned) };
  }

  async seal(text: string, team: openpgp.PublicKey): Promise<string> {
    const directory = await mkdtemp(join(tmpdir(), 'tlpb-partner-'));
    try {
      const teamFile = join(directory, 'team.asc');
      await writeFile(teamFile, team.armor(), { mode: 0o600 });
      const sealed = await gpg(
        this.source,
        [
          '--armor',
          '--sign',
          '--encrypt',
          '--trust-model',
          'always',
          '--recipient-file',
          teamFile,
          '--local-user',
          this.fingerprint,
        ],
        text,
      );
      return sealed.toString('utf8');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }
}

function secretKeys(colons: string): { fingerprint: string; expiresAt: Date | null }[] {
  const keys: { fingerprint: string; expiresAt: Date | null }[] = [];
  let expiry: Date | null = null;
  let pending = false;
  for (const line of colons.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === 'sec') {
      expiry = fields[6] ? new Date(Number(fields[6]) * 1000) : null;
      pending = true;
    } else if (fields[0] === 'fpr' && pending) {
      keys.push({ fingerprint: fields[9].toUpperCase(), expiresAt: expiry });
      pending = false;
    }
  }
  return keys;
}

function gpg(source: Extract<KeySource, { kind: 'gpg' }>, args: string[], input?: string): Promise<Buffer> {
  const home = source.homedir ? ['--homedir', source.homedir] : [];
  return new Promise((resolve, reject) => {
    const child = execFile(
      'gpg',
      ['--batch', '--yes', '--quiet', '--no-tty', ...home, ...args],
      { encoding: 'buffer', maxBuffer: MAX_MESSAGE_BYTES, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.toString('utf8').trim().split('\n').slice(-2).join(' ');
          reject(new Error(detail || error.message));
        } else resolve(stdout);
      },
    );
    child.stdin?.end(input ?? '');
  });
}

/** The partner's key, from the settings. */
export async function loadPartnerKey(
  source: KeySource,
  readKeyFile: (path: string) => Promise<string>,
): Promise<PartnerKey> {
  if (source.kind === 'gpg') return GpgPartnerKey.load(source);
  return KeyFilePartnerKey.load(await readKeyFile(source.path), source.passphrase);
}
