import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/** A fingerprint as GnuPG prints it, spaces removed, upper case: v4 (40 hex digits) or v6 (64). */
export function normaliseFingerprint(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

const fingerprint = z
  .string()
  .transform(normaliseFingerprint)
  .refine((value) => /^([0-9A-F]{40}|[0-9A-F]{64})$/.test(value), {
    message: 'a fingerprint is 40 (or 64) hexadecimal digits, as `gpg --fingerprint` prints it',
  });

const keySource = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file'),
    /** The armored private key, copied into the kit's home (0600) at init. */
    path: z.string().min(1),
    passphrase: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('gpg'),
    /** GnuPG's home; null: the user's default. GnuPG's agent holds the key and asks for its passphrase. */
    homedir: z.string().nullable(),
    /** The partner key's fingerprint, when several secret keys are in the keyring. */
    fingerprint: fingerprint.nullable(),
  }),
]);

export const SETTINGS_SCHEMA = z.object({
  format: z.literal('tlp-broker-partner/settings@1'),
  broker: z.url({ protocol: /^https?$/, message: 'the broker URL must be an http(s) URL' }),
  apiKey: z.string().min(8),
  key: keySource,
  /** The team's fingerprints obtained out of band: only messages signed by one of these keys are accepted. */
  teamFingerprints: z.array(fingerprint).min(1),
  /** Where pulled items are written (STIX bundles, MISP feed, JSON documents). */
  out: z.string().min(1),
  /** TLP:RED is written to disk and served only when the operator opted in. */
  includeRed: z.boolean(),
  serve: z.object({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65_535),
    /** The local server's own credential (Bearer token, or Basic password): never the broker's API key. */
    token: z.string().min(32),
    collectionId: z.uuid(),
  }),
});

export type Settings = z.infer<typeof SETTINGS_SCHEMA>;
export type KeySource = Settings['key'];

/** The kit's home: its settings, its state and (by default) its output. */
/** The kit's home when neither --home nor TLPB_PARTNER_HOME (which commander reads) names one. */
export function defaultHome(): string {
  return resolve(join(homedir(), '.tlp-broker-partner'));
}

export const settingsPath = (home: string) => join(home, 'settings.json');

/** Something a user can fix, said in one sentence; the CLI prints it and exits non-zero. */
export class KitError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function newServeToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Reads the settings; refuses a file others can read (it holds the API key and perhaps a passphrase). */
export async function readSettings(home: string): Promise<Settings> {
  const path = settingsPath(home);
  const info = await stat(path).catch(() => null);
  if (!info) throw new KitError(`no settings in ${home}: run \`tlp-broker-partner init\` first`);
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0)
    throw new KitError(`${path} can be read by others (mode ${(info.mode & 0o777).toString(8)}): chmod 600 it`);
  const parsed = SETTINGS_SCHEMA.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success)
    throw new KitError(`${path} is not valid: ${parsed.error.issues.map((issue) => issueText(issue)).join('; ')}`);
  return parsed.data;
}

export function issueText(issue: { path: PropertyKey[]; message: string }): string {
  return `${issue.path.map(String).join('.') || 'settings'}: ${issue.message}`;
}

/** Writes a file only its owner reads, atomically (a reader never sees half of it). */
export async function writePrivateFile(
  path: string,
  content: string | Uint8Array,
  directoryMade = false,
): Promise<void> {
  if (!directoryMade) await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // Created 0600 (a umask only ever takes permissions away), then put in place whole.
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, path);
}

export async function writeSettings(home: string, settings: Settings): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  await chmod(home, 0o700);
  await writePrivateFile(settingsPath(home), `${JSON.stringify(SETTINGS_SCHEMA.parse(settings), null, 2)}\n`);
}

/** The settings as a person may see them: no API key, passphrase or local token. */
export function describeSettings(settings: Settings): Record<string, unknown> {
  return {
    broker: settings.broker,
    apiKey: 'set',
    key:
      settings.key.kind === 'file'
        ? { kind: 'file', path: settings.key.path, passphrase: settings.key.passphrase ? 'set' : 'none' }
        : settings.key,
    teamFingerprints: settings.teamFingerprints,
    out: settings.out,
    includeRed: settings.includeRed,
    serve: { host: settings.serve.host, port: settings.serve.port, collectionId: settings.serve.collectionId },
  };
}
