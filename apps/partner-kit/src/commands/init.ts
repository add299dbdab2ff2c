import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { join, resolve } from 'node:path';
import { BrokerClient, BrokerError } from '../broker-client';
import { keyExpiryWarning } from '../context';
import { loadPartnerKey } from '../opener';
import {
  describeSettings,
  KeySource,
  KitError,
  newServeToken,
  readSettings,
  normaliseFingerprint,
  Settings,
  SETTINGS_SCHEMA,
  issueText,
  writePrivateFile,
  writeSettings,
} from '../settings';
import { checkTeamDocuments, pinnedTeamKeys } from '../team-keys';
import { Output } from './output';
import { secret } from './secrets';

export interface InitOptions {
  broker: string;
  apiKeyFile?: string;
  key?: string;
  passphraseFile?: string;
  /** TLPB_PARTNER_API_KEY and TLPB_PARTNER_PASSPHRASE, as commander read them. */
  apiKeyEnv?: string;
  passphraseEnv?: string;
  gpg?: boolean;
  gpgHomedir?: string;
  gpgKey?: string;
  teamFingerprint: string[];
  out?: string;
  includeRed?: boolean;
  serveHost: string;
  servePort: string;
  json?: boolean;
}

/**
 * Sets the kit up: checks every setting against the broker before writing any (the API key opens
 * the feed, the pinned fingerprint is the team's published key, and the team's security.txt and
 * RFC 2350 profile are signed by it), then writes the settings, readable by their owner only.
 */
export async function init(home: string, options: InitOptions, given: { onCommandLine: boolean }): Promise<void> {
  if (given.onCommandLine)
    throw new KitError('give secrets in files or in the environment, never on the command line (others see it)');
  const output = new Output(options.json ?? false);
  const apiKey = await secret('API key', options.apiKeyFile, options.apiKeyEnv, 'TLPB_PARTNER_API_KEY');
  const source = await keySource(home, options);
  const key = await loadPartnerKey(source.settings, async () => source.armored ?? '');
  const broker = new BrokerClient(options.broker, apiKey);
  const newest = await broker.newestEntry().catch((error: unknown) => {
    if (error instanceof BrokerError && (error.status === 401 || error.status === 403))
      throw new KitError(
        `the broker refuses the API key (${error.status}): use a feed channel's key with the \`feed\` scope`,
      );
    throw error;
  });
  // A key that is not the channel's would make every entry a refusal: said now, before anything is written.
  if (newest?.keyFingerprint && newest.keyFingerprint.toUpperCase() !== key.fingerprint)
    throw new KitError(
      `this channel's deliveries are encrypted to key ${newest.keyFingerprint}, not to the key given (${key.fingerprint})`,
    );
  const team = await pinnedTeamKeys(broker, options.teamFingerprint.map(normaliseFingerprint));
  const documents = await checkTeamDocuments(broker, team);
  if (!documents.ok)
    throw new KitError(`the team's published documents do not match the pinned key: ${documents.findings.join('; ')}`);
  // Set up again (a new key, a new API key): the local server keeps its credential and collection,
  // so the partner's OpenCTI and MISP need no change.
  const earlier = await readSettings(home).catch(() => null);
  const settings = newSettings(home, options, apiKey, source.settings, earlier?.serve ?? null);
  if (source.armored) await writePrivateFile(join(home, 'partner-key.asc'), source.armored);
  await writeSettings(home, settings);
  await writePrivateFile(join(home, 'serve-token'), `${settings.serve.token}\n`);
  output.warn(await keyExpiryWarning(key));
  output.line(`Settings written to ${join(home, 'settings.json')} (readable by you only).`);
  output.line(
    `Partner key ${key.fingerprint}; team key pinned: ${team.keys.map((k) => k.getFingerprint().toUpperCase()).join(', ')}.`,
  );
  output.line(`security.txt and the team profile are signed by the pinned key.`);
  output.line(
    `Next: \`tlp-broker-partner pull\` (files in ${settings.out}) or \`tlp-broker-partner serve\` (TAXII 2.1 and MISP feed).`,
  );
  output.result({ settings: describeSettings(settings), partnerKey: key.fingerprint });
}

function newSettings(
  home: string,
  options: InitOptions,
  apiKey: string,
  key: KeySource,
  earlier: Settings['serve'] | null,
): Settings {
  const parsed = SETTINGS_SCHEMA.safeParse({
    format: 'tlp-broker-partner/settings@1',
    broker: options.broker.replace(/\/+$/, ''),
    apiKey,
    key,
    teamFingerprints: options.teamFingerprint,
    out: resolve(options.out ?? join(home, 'out')),
    includeRed: options.includeRed ?? false,
    serve: {
      host: options.serveHost,
      port: Number(options.servePort),
      token: earlier?.token ?? newServeToken(),
      collectionId: earlier?.collectionId ?? randomUUID(),
    },
  });
  if (!parsed.success) throw new KitError(parsed.error.issues.map(issueText).join('; '));
  return parsed.data;
}

/** The partner key: an armored file (copied into the kit's home) or GnuPG's keyring. */
async function keySource(home: string, options: InitOptions): Promise<{ settings: KeySource; armored: string | null }> {
  if (options.gpg) {
    if (options.key) throw new KitError('give either --key FILE or --gpg, not both');
    return {
      settings: {
        kind: 'gpg',
        homedir: options.gpgHomedir ? resolve(options.gpgHomedir) : null,
        fingerprint: options.gpgKey ? normaliseFingerprint(options.gpgKey) : null,
      },
      armored: null,
    };
  }
  if (!options.key) throw new KitError('give the partner private key: --key FILE (armored) or --gpg');
  const armored = await readFile(options.key, 'utf8').catch(() => {
    throw new KitError(`cannot read the partner key file ${options.key}`);
  });
  const passphrase = armored.includes('PRIVATE KEY BLOCK') ? await optionalPassphrase(options, armored) : null;
  return { settings: { kind: 'file', path: join(home, 'partner-key.asc'), passphrase }, armored };
}

async function optionalPassphrase(options: InitOptions, armored: string): Promise<string | null> {
  const key = await openpgp.readPrivateKey({ armoredKey: armored }).catch(() => null);
  if (!key || key.isDecrypted()) return null;
  return secret(
    'passphrase of the partner key',
    options.passphraseFile,
    options.passphraseEnv,
    'TLPB_PARTNER_PASSPHRASE',
  );
}
