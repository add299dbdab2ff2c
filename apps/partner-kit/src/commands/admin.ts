import { keyExpiryWarning, openKit } from '../context';
import {
  describeSettings,
  KitError,
  normaliseFingerprint,
  readSettings,
  SETTINGS_SCHEMA,
  writeSettings,
} from '../settings';
import { checkTeamDocuments } from '../team-keys';
import { newerKitWarning } from '../version';
import { Output } from './output';

/** Checks what the kit relies on: the pinned team key, the team's signed documents, the partner key's expiry. */
export async function check(home: string, options: { json?: boolean }): Promise<void> {
  const output = new Output(options.json ?? false);
  const kit = await openKit(home);
  output.warn(await keyExpiryWarning(kit.key));
  output.warn(newerKitWarning(await kit.broker.kitRelease()));
  const documents = await checkTeamDocuments(kit.broker, kit.team);
  for (const finding of documents.findings) output.warn(finding);
  output.line(`Broker ${kit.settings.broker}: the feed opens with the API key.`);
  output.line(
    `Team key pinned and published: ${kit.team.keys.map((key) => key.getFingerprint().toUpperCase()).join(', ')}.`,
  );
  output.line(
    documents.ok
      ? 'security.txt and the team profile are signed by the pinned key.'
      : 'The team documents do not check out (see the warnings).',
  );
  output.result({
    ok: documents.ok,
    findings: documents.findings,
    settings: describeSettings(kit.settings),
    partnerKey: kit.key.fingerprint,
  });
  if (!documents.ok) throw new KitError('the team documents do not match the pinned key');
}

/**
 * Pins one more team fingerprint (after the team rotated its key and the new fingerprint was
 * confirmed out of band): entries refused for its signature are opened on the next pull.
 */
export async function pin(home: string, fingerprint: string, options: { json?: boolean }): Promise<void> {
  const output = new Output(options.json ?? false);
  const settings = await readSettings(home);
  const pinned = normaliseFingerprint(fingerprint);
  const updated = SETTINGS_SCHEMA.safeParse({
    ...settings,
    teamFingerprints: [...new Set([...settings.teamFingerprints, pinned])],
  });
  if (!updated.success) throw new KitError(`${fingerprint}: ${updated.error.issues[0].message}`);
  await writeSettings(home, updated.data);
  output.line(`Team fingerprints pinned: ${updated.data.teamFingerprints.join(', ')}.`);
  output.result({ teamFingerprints: updated.data.teamFingerprints });
}
