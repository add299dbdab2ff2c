import { readFile } from 'node:fs/promises';
import { BrokerClient } from './broker-client';
import { LocalStore } from './local-store';
import { loadPartnerKey, PartnerKey } from './opener';
import { readSettings, Settings } from './settings';
import { PinnedTeamKeys, pinnedTeamKeys } from './team-keys';

/** Everything a command works with, read from the kit's home. */
export interface KitContext {
  readonly home: string;
  readonly settings: Settings;
  readonly broker: BrokerClient;
  readonly key: PartnerKey;
  readonly team: PinnedTeamKeys;
  readonly store: LocalStore;
}

export async function openKit(home: string): Promise<KitContext> {
  const settings = await readSettings(home);
  const broker = new BrokerClient(settings.broker, settings.apiKey);
  const [key, team, store] = await Promise.all([
    loadPartnerKey(settings.key, (path) => readFile(path, 'utf8')),
    pinnedTeamKeys(broker, settings.teamFingerprints),
    LocalStore.open(home, settings.out),
  ]);
  return { home, settings, broker, key, team, store };
}

const DAY_MS = 86_400_000;
/** How long before the partner key expires the kit starts warning. */
export const KEY_WARNING_DAYS = 30;

/** A warning when the partner's own key expires soon (the broker stops sending to an expired key). */
export async function keyExpiryWarning(key: PartnerKey, now = new Date()): Promise<string | null> {
  const expiresAt = await key.expiresAt();
  if (!expiresAt) return null;
  const days = Math.floor((expiresAt.getTime() - now.getTime()) / DAY_MS);
  if (days < 0)
    return `the partner key ${key.fingerprint} expired on ${expiresAt.toISOString().slice(0, 10)}: nothing more can be sent to it`;
  if (days > KEY_WARNING_DAYS) return null;
  return `the partner key ${key.fingerprint} expires on ${expiresAt.toISOString().slice(0, 10)} (in ${days} days): extend it and send the updated public key to the team`;
}
