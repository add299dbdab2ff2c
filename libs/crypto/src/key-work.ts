import type { PublicKey } from 'openpgp';
import { createHash } from 'node:crypto';
import { KeyState, keyStateOf } from './keys';
import { readPublicKey, sessionKeyPacket } from './seal';

const KEY_CACHE_LIMIT = 10_000;

/** One recipient's key work: its state at `now`, and the session-key packet when it can be encrypted to. */
export interface KeyTask {
  readonly armored: string;
  readonly now: number;
  /** The session key to address; absent to read the key's state only. */
  readonly sessionKey?: Uint8Array;
  readonly fingerprint?: string;
}

export interface KeyTaskResult {
  readonly state: KeyState;
  /** The public-key session-key packet, when asked and the key is usable at `now`. */
  readonly packet: Uint8Array | null;
}

/**
 * Parsed keys, cached by content: parsing dominates the cost of checking and addressing to a known
 * key, and a key renewed under the same fingerprint (a new expiry, a new subkey, a revocation) is
 * a new entry. What depends on the time is checked on every use. One per thread.
 */
export class ParsedKeys {
  private readonly keys = new Map<string, Promise<PublicKey>>();

  get(armored: string): Promise<PublicKey> {
    const cacheKey = createHash('sha256').update(armored).digest('base64');
    let key = this.keys.get(cacheKey);
    if (!key) {
      if (this.keys.size >= KEY_CACHE_LIMIT) this.keys.clear();
      key = readPublicKey(armored);
      key.catch(() => this.keys.delete(cacheKey));
      this.keys.set(cacheKey, key);
    }
    return key;
  }
}

/** Reads the key's state and, when asked and the key is usable, makes the session-key packet. */
export async function runKeyTask(keys: ParsedKeys, task: KeyTask): Promise<KeyTaskResult> {
  const key = await keys.get(task.armored);
  if (task.fingerprint && key.getFingerprint().toUpperCase() !== task.fingerprint.toUpperCase())
    throw new Error(`the key block given for ${task.fingerprint} is the key ${key.getFingerprint().toUpperCase()}`);
  const now = new Date(task.now);
  const state = await keyStateOf(key, now);
  const usable = state.canEncrypt && !state.revoked;
  const packet =
    task.sessionKey && usable
      ? await sessionKeyPacket(
          { sessionKeyAlgorithm: 'aes256', sessionKey: task.sessionKey, encryptedData: new Uint8Array() },
          key,
          now,
        )
      : null;
  return { state, packet };
}
