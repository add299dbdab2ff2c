import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PrivateKey, PublicKey } from 'openpgp';
import { applyKeyUpdate, inspectPublicKey, KeyCheck, KeyRules, keyStateAt, KeyUpdate } from './keys';
import { SharedArmor } from './armor';
import { addressTo, readPublicKey, sealOnce, SealedPayload, signOnly } from './seal';

const KEY_CACHE_LIMIT = 10_000;
/** Payloads whose shared packet is kept armored (most recently used first out last). */
const ARMOR_CACHE_LIMIT = 16;

/**
 * The broker's OpenPGP operations, behind one injectable class. Parsed recipient keys are cached
 * by fingerprint and content: parsing dominates the cost of addressing a message to a known key,
 * and a key renewed under the same fingerprint (a new expiry, a new subkey) is a new entry.
 */
@Injectable()
export class OpenPgpService {
  private readonly keys = new Map<string, Promise<PublicKey>>();
  private readonly armors = new Map<string, SharedArmor>();
  private readonly unnamedArmors = new WeakMap<Uint8Array, SharedArmor>();

  inspectPublicKey(armored: unknown, now: Date, rules?: KeyRules): Promise<KeyCheck> {
    return inspectPublicKey(armored, now, rules);
  }

  applyKeyUpdate(storedArmored: string, incoming: unknown, now: Date, rules?: KeyRules): Promise<KeyUpdate> {
    return applyKeyUpdate(storedArmored, incoming, now, rules);
  }

  keyStateAt(armored: string, now: Date) {
    return keyStateAt(armored, now);
  }

  sealOnce(plaintext: string, signingKey: PrivateKey, date?: Date): Promise<SealedPayload> {
    return sealOnce(plaintext, signingKey, date);
  }

  signOnly(plaintext: string, signingKey: PrivateKey, date?: Date): Promise<string> {
    return signOnly(plaintext, signingKey, date);
  }

  async addressTo(payload: SealedPayload, fingerprint: string, armoredKey: string, date?: Date): Promise<string> {
    return addressTo(payload, await this.publicKey(fingerprint, armoredKey), date, this.armorFor(payload));
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

  private publicKey(fingerprint: string, armored: string): Promise<PublicKey> {
    const cacheKey = `${fingerprint}:${createHash('sha256').update(armored).digest('base64')}`;
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
