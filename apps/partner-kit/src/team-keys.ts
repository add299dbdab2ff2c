import * as openpgp from 'openpgp';
import type { BrokerClient } from './broker-client';
import { messageOf, pinnedSigner, RefusedMessage } from './opener';
import { KitError } from './settings';

/** The team's keys the partner pinned, as the broker publishes them; the active one seals submissions. */
export interface PinnedTeamKeys {
  readonly keys: readonly openpgp.PublicKey[];
  /** The team key submissions are encrypted to: the broker's active key when pinned, else the newest pinned one. */
  readonly sealTo: openpgp.PublicKey;
  /** When the team's identity came to be (its first published key): the STIX identity's `created`. */
  readonly since: Date;
  /** The e-mail address of the team key's user id: the STIX identity's contact information. */
  readonly contactEmail: string | undefined;
}

/**
 * The team's public keys, kept only when their fingerprint is one the partner pinned (obtained out
 * of band). The broker serving the keys proves nothing: a key is trusted for its fingerprint.
 */
export async function pinnedTeamKeys(broker: BrokerClient, pinned: readonly string[]): Promise<PinnedTeamKeys> {
  const published = await broker.teamKeys();
  const keys: { key: openpgp.PublicKey; active: boolean }[] = [];
  for (const record of published) {
    const key = await openpgp.readKey({ armoredKey: record.armored }).catch(() => null);
    if (key && pinned.includes(key.getFingerprint().toUpperCase())) keys.push({ key, active: record.active });
  }
  if (keys.length === 0)
    throw new KitError(
      `the broker publishes no team key with the pinned fingerprint (${pinned.join(', ')}); it publishes ${
        published.map((record) => record.fingerprint).join(', ') || 'none'
      }. Check the fingerprint with the team over another channel before pinning another one.`,
    );
  const sealTo = keys.find((entry) => entry.active) ?? keys[keys.length - 1];
  const since = published
    .map((record) => new Date(record.createdAt))
    .reduce((first, date) => (date < first ? date : first));
  const contactEmail = (await sealTo.key.getPrimaryUser().catch(() => null))?.user.userID?.email || undefined;
  return { keys: keys.map((entry) => entry.key), sealTo: sealTo.key, since, contactEmail };
}

/** What the team's signed documents say, checked against the pinned keys. */
export interface TeamDocumentsCheck {
  readonly ok: boolean;
  readonly findings: readonly string[];
}

/**
 * The team's security.txt (RFC 9116, cleartext-signed) and RFC 2350 profile (JSON with a detached
 * signature): each must be signed by a pinned key, the profile must name a pinned fingerprint and
 * security.txt must not have expired.
 */
export async function checkTeamDocuments(
  broker: BrokerClient,
  team: PinnedTeamKeys,
  now = new Date(),
): Promise<TeamDocumentsCheck> {
  const findings: string[] = [];
  const securityTxt = await broker.text('/.well-known/security.txt', 'reading security.txt');
  try {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: securityTxt });
    const result = await openpgp.verify({ message, verificationKeys: [...team.keys] });
    await pinnedSigner(result.signatures, team.keys);
    const expires = /^Expires:\s*(\S+)\s*$/im.exec(message.getText());
    if (!expires) findings.push('security.txt has no Expires field');
    else if (new Date(expires[1]) <= now) findings.push(`security.txt expired on ${expires[1]}`);
  } catch (error) {
    findings.push(`security.txt is not signed by the pinned team key (${messageOf(error)})`);
  }
  const [profile, signature] = await Promise.all([
    broker.text('/team/profile.json', 'reading the team profile'),
    broker.text('/team/profile.json.asc', 'reading the team profile signature'),
  ]);
  try {
    const result = await openpgp.verify({
      message: await openpgp.createMessage({ text: profile }),
      signature: await openpgp.readSignature({ armoredSignature: signature }),
      verificationKeys: [...team.keys],
    });
    await pinnedSigner(result.signatures, team.keys);
    const named = (JSON.parse(profile) as { contact?: { publicKey?: { fingerprint?: string } } }).contact?.publicKey
      ?.fingerprint;
    const pinned = team.keys.map((key) => key.getFingerprint().toUpperCase());
    if (!named || !pinned.includes(named.toUpperCase()))
      findings.push(`the team profile names key ${named ?? 'none'}, which is not pinned`);
  } catch (error) {
    findings.push(
      `the team profile (RFC 2350) is not signed by the pinned team key (${error instanceof RefusedMessage ? error.message : messageOf(error)})`,
    );
  }
  return { ok: findings.length === 0, findings };
}
