import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as openpgp from 'openpgp';
import { Client } from 'pg';
import { deriveAuditKey } from '@tlp-broker/config';
import { generateKeyPair, openSealed } from '@tlp-broker/crypto';
import { AuditLog, createDatabaseRoles, createDataSource, createUser, migrateDatabase } from '@tlp-broker/persistence';
import { deleteKeysUnder } from '@tlp-broker/queue';

/**
 * The demonstration: a broker on its own database, partners of a police CSIRT registered over
 * HTTP, one item published at each TLP label, and each partner pulling, decrypting and verifying
 * what it was sent. Prints who received what, and why the others did not.
 */

export interface DemoOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly port: number;
  readonly keepRunning: boolean;
  readonly root: string;
}

interface Partner {
  name: string;
  id: string;
  channelId: string;
  feedKey: string;
  privateKey: openpgp.PrivateKey;
}

const REDIS_PREFIX = 'tlpb-demo';
const PASSPHRASE = 'demo passphrase, not for production';
/** As in production: one role owns the schema and migrates it, the broker runs as the other. */
const OWNER_ROLE = 'tlpb_demo_owner';
const APP_ROLE = 'tlpb_demo_app';

const PARTNERS = [
  { name: 'Europol EC3', kind: 'lea', country: 'NL', relation: 'peer', communities: ['eu-lea'] },
  { name: 'Interpol Cybercrime Directorate', kind: 'lea', country: 'SG', relation: 'peer', communities: ['intl-lea'] },
  {
    name: 'CERT-FR',
    kind: 'cert',
    country: 'FR',
    relation: 'peer',
    communities: ['fr-csirt', 'eu-csirt'],
    accreditations: ['judicial-secret'],
  },
  {
    name: 'Gendarmerie - SR Paris',
    kind: 'lea',
    country: 'FR',
    relation: 'constituent',
    communities: ['gendarmerie', 'fr-lea'],
    accreditations: ['judicial-secret'],
  },
  {
    name: 'Gendarmerie - Brigade numerique',
    kind: 'lea',
    country: 'FR',
    relation: 'constituent',
    communities: ['gendarmerie'],
  },
  {
    name: 'InterCERT France (ISAC relay)',
    kind: 'isac',
    country: 'FR',
    relation: 'peer',
    communities: ['fr-csirt'],
    redistributes: true,
  },
] as const;

const log = (line = '') => process.stdout.write(`${line}\n`);

export async function runDemo(options: DemoOptions): Promise<void> {
  const database = new URL(options.databaseUrl).pathname.slice(1);
  if (!database.endsWith('_demo'))
    throw new Error(
      `the demonstration resets its database: DATABASE_URL must name a database ending in "_demo" (got "${database}")`,
    );
  const varDir = join(options.root, '.var', 'demo');
  mkdirSync(varDir, { recursive: true });

  log('tlp-broker demonstration');
  log(`  database ${database} (recreated), Redis prefix ${REDIS_PREFIX}, API on port ${options.port}`);
  await dropDatabase(options.databaseUrl);
  await deleteKeysUnder(options.redisUrl, REDIS_PREFIX);
  const urls = {
    migrationUrl: withRole(options.databaseUrl, OWNER_ROLE),
    appUrl: withRole(options.databaseUrl, APP_ROLE),
  };
  await createDatabaseRoles({ superuserUrl: withDatabase(options.databaseUrl, 'postgres'), ...urls });
  await migrateDatabase(urls);
  log(
    `  roles: ${OWNER_ROLE} owns the schema and migrated it; the broker runs as ${APP_ROLE} (audit tables: INSERT and SELECT only)`,
  );
  const dataSource = await createDataSource(urls.appUrl).initialize();
  const audit = new AuditLog(deriveAuditKey(undefined, PASSPHRASE));
  const [admin, analyst, approver] = await dataSource.transaction(async (manager) => [
    await createUser(manager, audit, 'demo-admin', ['admin'], 'demo'),
    await createUser(manager, audit, 'demo-analyst', ['analyst'], 'demo'),
    await createUser(manager, audit, 'demo-approver', ['approver'], 'demo'),
  ]);
  await dataSource.destroy();
  const checkpointFile = join(varDir, 'audit-checkpoints.asc');
  rmSync(checkpointFile, { force: true });

  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: urls.appUrl,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX,
    PORT: String(options.port),
    // Production refuses to start without it: the links in signed documents and feeds come from here.
    PUBLIC_URL: `http://127.0.0.1:${options.port}`,
    TEAM_KEY_FILE: join(varDir, 'team-key.asc'),
    TEAM_KEY_PASSPHRASE: PASSPHRASE,
    TEAM_KEY_USER_ID: 'Police CSIRT (demo) <csirt@police.example>',
    OUTBOX_POLL_MS: '50',
    AUDIT_CHECKPOINT_INTERVAL_MS: '1000',
    AUDIT_CHECKPOINT_FILE: checkpointFile,
  };
  const children = [
    startProcess(options.root, 'dispatcher', env, varDir),
    startProcess(options.root, 'api', env, varDir),
  ];
  const stop = () => Promise.all(children.map(stopProcess));
  const base = `http://127.0.0.1:${options.port}`;
  try {
    await waitForHealth(base, children);
    log(`  api and dispatcher up (logs in ${join('.var', 'demo')})`);
    await scenario(base, admin.apiKey, analyst.apiKey, approver.apiKey);
    if (options.keepRunning) {
      log();
      log(`The broker keeps running at ${base} (OpenAPI documentation at ${base}/docs). Ctrl-C stops it.`);
      log(`  admin API key:    ${admin.apiKey}`);
      log(`  analyst API key:  ${analyst.apiKey}`);
      log(`  approver API key: ${approver.apiKey}`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
    }
  } finally {
    await stop();
  }
}

async function scenario(base: string, adminKey: string, analystKey: string, approverKey: string): Promise<void> {
  const team = await call(base, 'GET', '/team/key');
  const teamKey = await openpgp.readKey({ armoredKey: team.publicKey as string });
  log(`  team key ${team.fingerprint} (${team.algorithm}): every delivery is signed with it`);
  log();
  log('Registering partners (each with a fresh OpenPGP key and a pull feed):');
  const partners: Partner[] = [];
  for (const spec of PARTNERS) {
    const keys = await generateKeyPair({ name: spec.name, email: `soc@${slug(spec.name)}.example` });
    const created = await call(base, 'POST', '/organisations', adminKey, {
      name: spec.name,
      kind: spec.kind,
      country: spec.country,
      relation: spec.relation,
      communities: spec.communities,
      accreditations: 'accreditations' in spec ? spec.accreditations : [],
      publicKey: keys.publicArmored,
      channels: [{ kind: 'feed', redistributes: 'redistributes' in spec ? spec.redistributes : false }],
    });
    partners.push({
      name: spec.name,
      id: created.id,
      channelId: created.channels[0].id,
      feedKey: created.channels[0].apiKey,
      privateKey: await openpgp.readPrivateKey({ armoredKey: keys.privateArmored }),
    });
    const traits = [
      spec.relation,
      ...spec.communities.map((c) => `#${c}`),
      ...('redistributes' in spec && spec.redistributes ? ['redistributes'] : []),
      ...('accreditations' in spec ? spec.accreditations.map((a) => `accredited:${a}`) : []),
    ];
    log(`  ${pad(spec.name, 34)} ${traits.join(' ')}`);
  }
  const byName = (name: string) => partners.find((partner) => partner.name === name)!;
  const ec3 = byName('Europol EC3');
  const officerKeys = await generateKeyPair({ name: 'EC3 duty officer', email: 'duty.officer@ec3.example' });
  const officer = await call(base, 'POST', `/organisations/${ec3.id}/contacts`, adminKey, {
    name: 'EC3 duty officer',
    email: 'duty.officer@ec3.example',
    publicKey: officerKeys.publicArmored,
  });
  const officerPartner: Partner = {
    name: 'EC3 duty officer (personal)',
    id: officer.id,
    channelId: officer.channels[0].id,
    feedKey: officer.channels[0].apiKey,
    privateKey: await openpgp.readPrivateKey({ armoredKey: officerKeys.privateArmored }),
  };
  log(`  ${pad('EC3 duty officer', 34)} a person at Europol EC3, with a personal key and feed`);

  const items = [
    {
      type: 'announcement',
      tlp: 'TLP:CLEAR',
      title: 'Fake police summons e-mails: advice for the public',
      audience: {},
      indicators: [
        {
          type: 'domain',
          value: 'convocation-police-judiciaire.example',
          description: 'sender domain of the fake summons',
        },
        { type: 'url', value: 'https://convocation-police-judiciaire.example/amende' },
      ],
    },
    {
      type: 'advisory',
      tlp: 'TLP:GREEN',
      title: 'Phishing kit targeting police webmail',
      audience: { communities: ['eu-lea', 'gendarmerie'] },
    },
    {
      type: 'intel-report',
      tlp: 'TLP:AMBER',
      title: 'Ransomware affiliate infrastructure (C2 list)',
      indicators: [
        { type: 'ipv4', value: '198.51.100.23', description: 'C2' },
        {
          type: 'sha256',
          value: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          description: 'loader',
        },
      ],
      audience: {
        organisations: [
          byName('CERT-FR').id,
          byName('Gendarmerie - SR Paris').id,
          byName('InterCERT France (ISAC relay)').id,
        ],
      },
    },
    {
      type: 'threat-datasheet',
      tlp: 'TLP:AMBER+STRICT',
      title: 'Bulletproof hoster used by a fraud network',
      audience: {
        organisations: [byName('Interpol Cybercrime Directorate').id, byName('InterCERT France (ISAC relay)').id],
      },
    },
    {
      type: 'alert',
      tlp: 'TLP:RED',
      title: 'Imminent takedown: do not alert the suspects',
      audience: { contacts: [officer.id] },
    },
    {
      type: 'intel-report',
      tlp: 'TLP:AMBER',
      title: 'Money mule accounts (from EC3, judicial investigation)',
      caveats: ['judicial-secret'],
      provenance: { originator: 'Europol EC3', label: 'TLP:AMBER' },
      audience: {
        organisations: [
          byName('Gendarmerie - SR Paris').id,
          byName('Gendarmerie - Brigade numerique').id,
          byName('CERT-FR').id,
        ],
      },
    },
  ];
  log();
  log('Publishing one item at each TLP label, and one derived from EC3 material under a judicial-secret caveat:');
  const published: { id: string; tlp: string; title: string }[] = [];
  for (const spec of items) {
    const item = await call(base, 'POST', '/items', analystKey, {
      ...spec,
      summary: `${spec.tlp} demonstration item`,
      body: `${spec.title}\n\nDemonstration content.`,
    });
    published.push({ id: item.id, tlp: item.tlp, title: spec.title });
    log(`  ${pad(item.tlp, 17)} ${pad(spec.type, 17)} ${spec.title}`);
    if (item.state === 'pending-approval') {
      // Four eyes: TLP:RED, TLP:AMBER+STRICT and caveated items leave only once a second person approves.
      await call(base, 'POST', `/items/${item.id}/approve`, approverKey);
      log(`  ${' '.repeat(35)}held for approval, then approved by demo-approver (four eyes)`);
    }
  }

  log();
  log('Who receives what (the dispatcher asks the policy engine about every partner and channel):');
  for (const item of published) {
    const { decisions } = await waitForRouting(base, analystKey, item.id);
    const who = (decision: DecisionRow) =>
      decision.contact ? `${decision.contact}, ${decision.organisation} (personal feed)` : decision.organisation;
    const sent = decisions.filter((decision) => decision.allow);
    const withheld = decisions.filter((decision) => !decision.allow && decision.code !== 'channel.personal.not-named');
    const unaddressed = decisions.length - sent.length - withheld.length;
    log();
    log(`${item.tlp}  "${item.title}"`);
    log(`  received by: ${sent.length === 0 ? 'nobody' : sent.map(who).join(', ')}`);
    for (const decision of sent.filter((d) => d.handling)) log(`    ${who(decision)} is told it ${decision.handling}`);
    for (const decision of withheld) log(`  withheld from ${who(decision)} [${decision.code}]: ${decision.reason}`);
    if (unaddressed > 0) log(`  (and ${unaddressed} personal feed(s) not addressed by this item)`);
  }
  log();
  log('An update that narrows the audience, and a retraction:');
  const amber = published[2];
  const amberSpec = items[2];
  await call(base, 'PUT', `/items/${amber.id}`, analystKey, {
    ...amberSpec,
    title: `${amberSpec.title}: attribution confirmed`,
    summary: 'TLP:AMBER demonstration item, second version',
    body: 'Second version: the attribution is confirmed; no longer shared with the ISAC relay.',
    audience: { organisations: [byName('CERT-FR').id, byName('Gendarmerie - SR Paris').id] },
  });
  log(`  ${pad(amber.tlp, 17)} "${amber.title}" updated to version 2 for CERT-FR and Gendarmerie - SR Paris only:`);
  log(`  ${' '.repeat(18)}InterCERT France (ISAC relay), which had version 1, is sent a recall notice`);
  const green = published[1];
  const retraction = await call(base, 'POST', `/items/${green.id}/retract`, analystKey, {
    reason: 'The kit was misattributed',
    notice: 'This phishing kit was misattributed: please disregard the advisory.',
  });
  log(
    `  ${pad(green.tlp, 17)} "${green.title}" retracted: removed from every feed, ${retraction.recalls} recall notice(s) sent`,
  );
  await waitForRecalls(base, analystKey, amber.id, 1);
  await waitForRecalls(base, analystKey, green.id, retraction.recalls as number);

  log();
  log('Each partner pulls its feed, decrypts with its own private key and checks the team signature:');
  const titleOf = new Map(published.map((item) => [item.id, item.title]));
  for (const partner of [...partners, officerPartner]) {
    const feed = await call(base, 'GET', '/feed', partner.feedKey);
    const titles: string[] = [];
    for (const entry of feed.entries as { message: string; tlp: string; entry: string; itemId: string }[]) {
      const opened = await openSealed(entry.message, partner.privateKey, [teamKey]);
      if (entry.entry === 'recall') {
        const notice = JSON.parse(opened.text) as { tlp: string; recall: string; versions: number[] };
        titles.push(
          `${notice.tlp} RECALL (${notice.recall}, version ${notice.versions.join(', ')}) of "${titleOf.get(entry.itemId)}"`,
        );
        continue;
      }
      const document = JSON.parse(opened.text) as { title: string; tlp: string; version: number };
      titles.push(`${document.tlp} ${document.title}${document.version > 1 ? ` (version ${document.version})` : ''}`);
    }
    log(
      `  ${partner.name}: ${titles.length} entr${titles.length === 1 ? 'y' : 'ies'}, all decrypted and signature-verified`,
    );
    for (const title of titles.reverse()) log(`      ${title}`);
  }

  const certFr = byName('CERT-FR');
  log();
  log(
    `The same deliveries to CERT-FR over TAXII 2.1 and as a MISP feed (TLP:CLEAR in the clear, the rest encrypted to CERT-FR's key),`,
  );
  log(`each tool with a key of its own, opening only what that tool needs (POST …/credentials with scopes):`);
  const toolKey = async (scope: 'taxii' | 'misp') =>
    (
      (await call(base, 'POST', `/organisations/${certFr.id}/channels/${certFr.channelId}/credentials`, adminKey, {
        scopes: [scope],
      })) as { apiKey: string }
    ).apiKey;
  const [taxiiKey, mispKey] = [await toolKey('taxii'), await toolKey('misp')];
  const taxii = await call(base, 'GET', `/taxii2/api/collections/${certFr.channelId}/objects/?limit=1000`, taxiiKey);
  const objects = taxii.objects as { type: string; name?: string; abstract?: string; payload_bin?: string }[];
  const count = (type: string) => objects.filter((object) => object.type === type).length;
  log(
    `  TAXII collection ${certFr.channelId}: ${objects.length} STIX objects — reports ${count('report')}, notes ${count('note')}, indicators ${count('indicator')}, ` +
      `encrypted artifacts ${count('artifact')}, TLP/PAP marking definitions ${count('marking-definition')}, team identity ${count('identity')}`,
  );
  for (const report of objects.filter((object) => object.type === 'report' || object.type === 'note'))
    log(`      ${stixLabel(report)}`);
  const artifact = objects.find((object) => object.type === 'artifact');
  if (artifact?.payload_bin) {
    const opened = await openSealed(Buffer.from(artifact.payload_bin, 'base64').toString(), certFr.privateKey, [
      teamKey,
    ]);
    log(
      `  one artifact, decrypted with CERT-FR's key: "${(JSON.parse(opened.text) as { title?: string }).title ?? 'a recall notice'}"`,
    );
  }
  const manifest = (await call(base, 'GET', '/misp/manifest.json', mispKey)) as Record<
    string,
    { info: string; Tag: { name: string }[] }
  >;
  log(
    `  MISP feed: ${Object.keys(manifest).length} events — ${Object.values(manifest)
      .map((event) => event.Tag[0].name)
      .join(', ')}`,
  );
  const publicItems = (await call(base, 'GET', '/public/items')).items as { title: string }[];
  log(
    `  public feed (no credentials; also RSS, Atom, STIX): ${publicItems.map((item) => `"${item.title}"`).join(', ')}`,
  );

  log();
  log('The audit trail: every step above, hash-chained, each event authenticated with a key PostgreSQL never holds:');
  const report = await waitForCheckpoint(base, adminKey);
  const broken = report.firstBroken;
  log(
    `  ${report.events} events, ${broken ? `BROKEN at event ${broken.seq}: ${broken.detail}` : 'intact'}; ${report.checkpoints} checkpoints checked (GET /audit/verify)`,
  );
  log(
    `  latest checkpoint: event ${report.lastCheckpoint!.seq}, signed by the team key at ${report.lastCheckpoint!.at} (GET /audit/checkpoints;`,
  );
  log(
    `  a copy in ${join('.var', 'demo', 'audit-checkpoints.asc')} for gpg --verify and tlp-broker audit verify --checkpoints)`,
  );
}

interface AuditReport {
  events: number;
  checkpoints: number;
  head: { seq: number } | null;
  lastCheckpoint: { seq: number; at: string } | null;
  firstBroken: { seq: number; detail: string } | null;
}

/** The dispatcher signs the chain head about every second in the demonstration: waits until the last event is signed. */
async function waitForCheckpoint(base: string, key: string): Promise<AuditReport> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const report = (await call(base, 'GET', '/audit/verify', key)) as AuditReport;
    if (report.firstBroken || (report.lastCheckpoint && report.lastCheckpoint.seq === report.head?.seq)) return report;
    if (Date.now() > deadline)
      throw new Error('the last audit event was not signed in a checkpoint within 30 s: see .var/demo/dispatcher.log');
    await sleep(250);
  }
}

function stixLabel(object: { type: string; name?: string; abstract?: string }): string {
  return `${object.type}: ${object.name ?? object.abstract ?? ''}`;
}

interface DecisionRow {
  organisation: string;
  contactId: string | null;
  contact: string | null;
  allow: boolean;
  code: string;
  reason: string;
  handling: string | null;
  delivery: { state: string } | null;
}

/** Waits until `count` recall notices of the item are delivered. */
async function waitForRecalls(base: string, key: string, itemId: string, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = (await call(base, 'GET', `/deliveries?item=${itemId}&kind=recall`, key)) as { state: string }[];
    if (rows.filter((row) => row.state === 'delivered' || row.state === 'sent').length >= count) return;
    if (Date.now() > deadline)
      throw new Error(
        `the recall notices of item ${itemId} were not delivered within 30 s: see .var/demo/dispatcher.log`,
      );
    await sleep(100);
  }
}

async function waitForRouting(base: string, key: string, itemId: string): Promise<{ decisions: DecisionRow[] }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await call(base, 'GET', `/items/${itemId}/decisions`, key);
    const decisions = result.decisions as DecisionRow[];
    if (result.routed && decisions.filter((d) => d.allow).every((d) => d.delivery?.state === 'delivered'))
      return { decisions };
    if (Date.now() > deadline)
      throw new Error(
        `item ${itemId} was not delivered within 30 s: is the dispatcher running? (see .var/demo/dispatcher.log)`,
      );
    await sleep(100);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- demo client reading the API's JSON
async function call(base: string, method: string, path: string, key?: string, body?: unknown): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

function startProcess(root: string, app: 'api' | 'dispatcher', env: NodeJS.ProcessEnv, varDir: string): ChildProcess {
  const out = openSync(join(varDir, `${app}.log`), 'w');
  return spawn(process.execPath, [resolve(root, 'dist', 'apps', app, 'src', 'main.js')], {
    env,
    stdio: ['ignore', out, out],
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitForHealth(base: string, children: ChildProcess[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const dead = children.find((child) => child.exitCode !== null);
    if (dead) throw new Error(`a broker process exited during start-up (code ${dead.exitCode}): see .var/demo/*.log`);
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`the API did not become healthy within 30 s at ${base}: see .var/demo/api.log`);
    await sleep(200);
  }
}

/** The demonstration's database is dropped; db create-roles creates it again, owned by the owner role. */
async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function withRole(databaseUrl: string, role: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const slug = (value: string) =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const pad = (value: string, width: number) =>
  value.length >= width ? value : value + ' '.repeat(width - value.length);
