import { readFile } from 'node:fs/promises';
import { BrokerClient } from './broker-client';
import { LocalStore } from './local-store';
import { loadPartnerKey, PartnerKey } from './opener';
import { readSettings, Settings } from './settings';
import { PinnedTeamKeys, pinnedTeamKeys } from './team-keys';

/** What the commands that open or seal messages work with, read from the kit's home. */
export interface KitContext {
  readonly home: string;
  readonly settings: Settings;
  readonly broker: BrokerClient;
  readonly key: PartnerKey;
  readonly team: PinnedTeamKeys;
}

/** A pull's context: the kit and its local store (the state, the collection, the MISP feed's index). */
export type PullingKit = KitContext & { readonly store: LocalStore };

export async function openKit(home: string): Promise<KitContext> {
  const settings = await readSettings(home);
  const broker = new BrokerClient(settings.broker, settings.apiKey);
  const [key, team] = await Promise.all([
    loadPartnerKey(settings.key, (path) => readFile(path, 'utf8')),
    pinnedTeamKeys(broker, settings.teamFingerprints),
  ]);
  return { home, settings, broker, key, team };
}

export async function openForPull(home: string): Promise<PullingKit> {
  const kit = await openKit(home);
  return { ...kit, store: await LocalStore.open(home, kit.settings.out) };
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
