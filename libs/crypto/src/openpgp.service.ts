import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { PrivateKey } from 'openpgp';
import { applyKeyUpdate, inspectPublicKey, KeyCheck, KeyRules, KeyState, KeyUpdate } from './keys';
import { SharedArmor } from './armor';
import { KeyPool } from './key-pool';
import { sealOnce, SealedPayload, signOnly } from './seal';

/** The KeyPool the service works with (CryptoModule provides one sized by KEY_THREADS). */
export const KEY_POOL = Symbol('KEY_POOL');
/** Payloads whose shared packet is kept armored (most recently used first out last). */
const ARMOR_CACHE_LIMIT = 16;

/**
 * The broker's OpenPGP operations, behind one injectable class. Recipients' keys are read and
 * addressed in the key pool (worker threads, each caching the keys it parsed by content; see
 * key-work.ts); what depends on the time (revocation, expiry) is checked on every use.
 */
@Injectable()
export class OpenPgpService implements OnApplicationShutdown {
  private readonly armors = new Map<string, SharedArmor>();
  private readonly unnamedArmors = new WeakMap<Uint8Array, SharedArmor>();

  constructor(@Optional() @Inject(KEY_POOL) private readonly pool: KeyPool = new KeyPool(0)) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  inspectPublicKey(armored: unknown, now: Date, rules?: KeyRules): Promise<KeyCheck> {
    return inspectPublicKey(armored, now, rules);
  }

  applyKeyUpdate(storedArmored: string, incoming: unknown, now: Date, rules?: KeyRules): Promise<KeyUpdate> {
    return applyKeyUpdate(storedArmored, incoming, now, rules);
  }

  /**
   * Reads a key in the key pool ahead of any delivery (as bulk work): parsed and its signatures
   * checked once, so the first fan-out to a partner only addresses to it. With several key
   * threads, the thread that took the task has it.
   */
  async readKeyAhead(armored: string, now: Date): Promise<void> {
    await this.pool.run({ armored, now: now.getTime() }, 'bulk');
  }

  /** Revocation, expiry and encryptability at `now`, checked afresh on the key as read once. */
  async keyStateAt(armored: string, now: Date): Promise<KeyState> {
    return (await this.pool.run({ armored, now: now.getTime() })).state;
  }

  sealOnce(plaintext: string, signingKey: PrivateKey, date?: Date): Promise<SealedPayload> {
    return sealOnce(plaintext, signingKey, date);
  }

  signOnly(plaintext: string, signingKey: PrivateKey, date?: Date): Promise<string> {
    return signOnly(plaintext, signingKey, date);
  }

  async addressTo(payload: SealedPayload, fingerprint: string, armoredKey: string, date?: Date): Promise<string> {
    const at = date ?? new Date();
    const { packet } = await this.pool.run({
      armored: armoredKey,
      now: at.getTime(),
      sessionKey: payload.sessionKey,
      fingerprint,
    });
    if (!packet) throw new Error(`the key ${fingerprint} cannot be encrypted to at ${at.toISOString()}`);
    return this.armorFor(payload).armor(packet);
  }

  /**
   * The key's state at `now` and, when it can be encrypted to then, `payload` addressed to it —
   * one reading of the key for both. Bulk work (a feed batch): it waits behind single deliveries.
   */
  async readAndAddress(
    armoredKey: string,
    fingerprint: string,
    payload: SealedPayload,
    now: Date,
  ): Promise<{ state: KeyState; message: string | null }> {
    const { state, packet } = await this.pool.run(
      { armored: armoredKey, now: now.getTime(), sessionKey: payload.sessionKey, fingerprint },
      'bulk',
    );
    return { state, message: packet ? this.armorFor(payload).armor(packet) : null };
  }

  private armorFor(payload: SealedPayload): SharedArmor {
    if (payload.id === undefined) {
      let armor = this.unnamedArmors.get(payload.encryptedData);
      if (!armor) this.unnamedArmors.set(payload.encryptedData, (armor = new SharedArmor(payload.encryptedData)));
      return armor;
    }
    let armor = this.armors.get(payload.id);
    if (armor && sameBytes(armor.shared, payload.encryptedData)) {
      this.armors.delete(payload.id);
    } else {
      armor = new SharedArmor(payload.encryptedData);
      if (this.armors.size >= ARMOR_CACHE_LIMIT) this.armors.delete(this.armors.keys().next().value!);
    }
    this.armors.set(payload.id, armor);
    return armor;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
