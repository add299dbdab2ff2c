import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { openSealed } from '@tlp-broker/crypto';
import { reportByEmail } from './demo-intake';
import { partnerKit } from './demo-partner-kit';
import { DemoHooks, weekendAlert } from './demo-weekend';
import {
  call,
  DecisionView,
  Dovecot,
  eventually,
  ItemSpec,
  publishItem,
  registerContact,
  registerPartner,
  RegisteredPartner,
  waitForRecalls,
  waitForRouting,
} from '@tlp-broker/harness';

/** The team members' API keys the demonstration acts with. */
export interface DemoKeys {
  readonly admin: string;
  readonly analyst: string;
  readonly approver: string;
}

interface Demo {
  readonly base: string;
  readonly keys: DemoKeys;
  readonly teamKey: openpgp.PublicKey;
}

/** Someone who pulls a feed: a partner's team channel or a person's own. */
type Reader = Pick<RegisteredPartner, 'name' | 'id' | 'channelId' | 'feedKey' | 'privateKey'>;

interface Published {
  readonly id: string;
  readonly tlp: string;
  readonly title: string;
}

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

export const log = (line = '') => process.stdout.write(`${line}\n`);
const pad = (value: string, width: number) =>
  value.length >= width ? value : value + ' '.repeat(width - value.length);

export async function scenario(
  base: string,
  keys: DemoKeys,
  mailbox: Dovecot | null,
  hooks: DemoHooks,
  workDir: string,
): Promise<void> {
  const team = await call<{ publicKey: string; fingerprint: string; algorithm: string }>(base, 'GET', '/team/key');
  const demo: Demo = { base, keys, teamKey: await openpgp.readKey({ armoredKey: team.publicKey }) };
  log(`  team key ${team.fingerprint} (${team.algorithm}): every delivery is signed with it`);
  const partners = await registerPartners(demo);
  const byName = (name: string) => partners.find((partner) => partner.name === name)!;
  const officer = await registerOfficer(demo, byName('Europol EC3'));
  const specs = itemSpecs(byName, officer.id);
  const published = await publishItems(demo, specs);
  await showDecisions(demo, published);
  await updateAndRetract(demo, published, specs[2], byName);
  await pullFeeds(demo, [...partners, officer], published);
  await showPullForms(demo, byName('CERT-FR'));
  await partnerKit({ base, teamFingerprint: team.fingerprint, workDir, log }, byName('CERT-FR'));
  await showReportByEmail(demo, mailbox, byName);
  await weekendAlert({ ...demo, log }, hooks, byName('Europol EC3'), byName('Interpol Cybercrime Directorate'));
  await showAuditTrail(demo);
}

async function showReportByEmail(
  demo: Demo,
  mailbox: Dovecot | null,
  byName: (name: string) => RegisteredPartner,
): Promise<void> {
  if (!mailbox) {
    log();
    log('(A report arriving by encrypted e-mail is shown when Dovecot is installed: apt-get install dovecot-imapd.)');
    return;
  }
  const audience = ['Gendarmerie - SR Paris', 'Gendarmerie - Brigade numerique', 'CERT-FR', 'Europol EC3'];
  await reportByEmail(
    {
      base: demo.base,
      analystKey: demo.keys.analyst,
      teamKey: demo.teamKey,
      log,
      showDecisions: (item) => showDecisions(demo, [item]),
    },
    mailbox,
    byName('Gendarmerie - Brigade numerique'),
    audience.map(byName),
  );
}

async function registerPartners(demo: Demo): Promise<RegisteredPartner[]> {
  log();
  log('Registering partners (each with a fresh OpenPGP key and a pull feed):');
  const partners: RegisteredPartner[] = [];
  for (const spec of PARTNERS) {
    partners.push(await registerPartner(demo.base, demo.keys.admin, spec));
    const traits = [
      spec.relation,
      ...spec.communities.map((c) => `#${c}`),
      ...('redistributes' in spec && spec.redistributes ? ['redistributes'] : []),
      ...('accreditations' in spec ? spec.accreditations.map((a) => `accredited:${a}`) : []),
    ];
    log(`  ${pad(spec.name, 34)} ${traits.join(' ')}`);
  }
  return partners;
}

async function registerOfficer(demo: Demo, ec3: RegisteredPartner): Promise<Reader> {
  const officer = await registerContact(demo.base, demo.keys.admin, ec3.id, {
    name: 'EC3 duty officer',
    email: 'duty.officer@ec3.example',
  });
  log(`  ${pad('EC3 duty officer', 34)} a person at Europol EC3, with a personal key and feed`);
  return { ...officer, name: 'EC3 duty officer (personal)' };
}

function itemSpecs(byName: (name: string) => RegisteredPartner, officerId: string): ItemSpec[] {
  const ids = (...names: string[]) => names.map((name) => byName(name).id);
  return [
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
      audience: { organisations: ids('CERT-FR', 'Gendarmerie - SR Paris', 'InterCERT France (ISAC relay)') },
    },
    {
      type: 'threat-datasheet',
      tlp: 'TLP:AMBER+STRICT',
      title: 'Bulletproof hoster used by a fraud network',
      audience: { organisations: ids('Interpol Cybercrime Directorate', 'InterCERT France (ISAC relay)') },
    },
    {
      type: 'alert',
      tlp: 'TLP:RED',
      title: 'Imminent takedown: do not alert the suspects',
      audience: { contacts: [officerId] },
    },
    {
      type: 'intel-report',
      tlp: 'TLP:AMBER',
      title: 'Money mule accounts (from EC3, judicial investigation)',
      caveats: ['judicial-secret'],
      provenance: { originator: 'Europol EC3', label: 'TLP:AMBER' },
      audience: { organisations: ids('Gendarmerie - SR Paris', 'Gendarmerie - Brigade numerique', 'CERT-FR') },
    },
  ];
}

async function publishItems(demo: Demo, specs: readonly ItemSpec[]): Promise<Published[]> {
  log();
  log('Publishing one item at each TLP label, and one derived from EC3 material under a judicial-secret caveat:');
  const published: Published[] = [];
  for (const spec of specs) {
    const item = await publishItem(demo.base, demo.keys.analyst, {
      ...spec,
      summary: `${spec.tlp} demonstration item`,
      body: `${spec.title}\n\nDemonstration content.`,
    });
    published.push({ id: item.id, tlp: item.tlp, title: spec.title });
    log(`  ${pad(item.tlp, 17)} ${pad(String(spec.type), 17)} ${spec.title}`);
    if (item.state === 'pending-approval') {
      // Four eyes: TLP:RED, TLP:AMBER+STRICT and caveated items leave only once a second person approves.
      await call(demo.base, 'POST', `/items/${item.id}/approve`, { key: demo.keys.approver });
      log(`  ${' '.repeat(35)}held for approval, then approved by demo-approver (four eyes)`);
    }
  }
  return published;
}

async function showDecisions(demo: Demo, published: readonly Published[]): Promise<void> {
  log();
  log('Who receives what (the dispatcher asks the policy engine about every partner and channel):');
  const who = (decision: DecisionView) =>
    decision.contact ? `${decision.contact}, ${decision.organisation} (personal feed)` : decision.organisation;
  for (const item of published) {
    const decisions = await waitForRouting(demo.base, demo.keys.analyst, item.id).catch(() => {
      throw new Error(
        `item ${item.id} was not delivered within 30 s: is the dispatcher running? (see .var/demo/dispatcher.log)`,
      );
    });
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
}

async function updateAndRetract(
  demo: Demo,
  published: readonly Published[],
  amberSpec: ItemSpec,
  byName: (name: string) => RegisteredPartner,
): Promise<void> {
  log();
  log('An update that narrows the audience, and a retraction:');
  const [, green, amber] = published;
  await call(demo.base, 'PUT', `/items/${amber.id}`, {
    key: demo.keys.analyst,
    json: {
      ...amberSpec,
      title: `${amberSpec.title}: attribution confirmed`,
      summary: 'TLP:AMBER demonstration item, second version',
      body: 'Second version: the attribution is confirmed; no longer shared with the ISAC relay.',
      audience: { organisations: [byName('CERT-FR').id, byName('Gendarmerie - SR Paris').id] },
    },
  });
  log(`  ${pad(amber.tlp, 17)} "${amber.title}" updated to version 2 for CERT-FR and Gendarmerie - SR Paris only:`);
  log(`  ${' '.repeat(18)}InterCERT France (ISAC relay), which had version 1, is sent a recall notice`);
  const retraction = await call<{ recalls: number }>(demo.base, 'POST', `/items/${green.id}/retract`, {
    key: demo.keys.analyst,
    json: {
      reason: 'The kit was misattributed',
      notice: 'This phishing kit was misattributed: please disregard the advisory.',
    },
  });
  log(
    `  ${pad(green.tlp, 17)} "${green.title}" retracted: removed from every feed, ${retraction.recalls} recall notice(s) sent`,
  );
  await waitForRecalls(demo.base, demo.keys.analyst, amber.id, 1);
  await waitForRecalls(demo.base, demo.keys.analyst, green.id, retraction.recalls);
}

async function pullFeeds(demo: Demo, readers: readonly Reader[], published: readonly Published[]): Promise<void> {
  log();
  log('Each partner pulls its feed, decrypts with its own private key and checks the team signature:');
  const titleOf = new Map(published.map((item) => [item.id, item.title]));
  for (const reader of readers) {
    const feed = await call<{ entries: { message: string; entry: string; itemId: string }[] }>(
      demo.base,
      'GET',
      '/feed',
      {
        key: reader.feedKey,
      },
    );
    const titles: string[] = [];
    for (const entry of feed.entries) {
      const opened = JSON.parse((await openSealed(entry.message, reader.privateKey, [demo.teamKey])).text);
      titles.push(
        entry.entry === 'recall'
          ? `${opened.tlp} RECALL (${opened.recall}, version ${opened.versions.join(', ')}) of "${titleOf.get(entry.itemId)}"`
          : `${opened.tlp} ${opened.title}${opened.version > 1 ? ` (version ${opened.version})` : ''}`,
      );
    }
    log(
      `  ${reader.name}: ${titles.length} entr${titles.length === 1 ? 'y' : 'ies'}, all decrypted and signature-verified`,
    );
    for (const title of titles.reverse()) log(`      ${title}`);
  }
}

async function showPullForms(demo: Demo, certFr: RegisteredPartner): Promise<void> {
  log();
  log(
    `The same deliveries to CERT-FR over TAXII 2.1 and as a MISP feed (TLP:CLEAR in the clear, the rest encrypted to CERT-FR's key),`,
  );
  log(`each tool with a key of its own, opening only what that tool needs (POST …/credentials with scopes):`);
  const toolKey = async (scope: 'taxii' | 'misp') =>
    (
      await call<{ apiKey: string }>(
        demo.base,
        'POST',
        `/organisations/${certFr.id}/channels/${certFr.channelId}/credentials`,
        {
          key: demo.keys.admin,
          json: { scopes: [scope] },
        },
      )
    ).apiKey;
  await showTaxii(demo, certFr, await toolKey('taxii'));
  const manifest = await call<Record<string, { Tag: { name: string }[] }>>(demo.base, 'GET', '/misp/manifest.json', {
    key: await toolKey('misp'),
  });
  const tags = Object.values(manifest).map((event) => event.Tag[0].name);
  log(`  MISP feed: ${tags.length} events — ${tags.join(', ')}`);
  const publicItems = (await call<{ items: { title: string }[] }>(demo.base, 'GET', '/public/items')).items;
  log(
    `  public feed (no credentials; also RSS, Atom, STIX): ${publicItems.map((item) => `"${item.title}"`).join(', ')}`,
  );
}

async function showTaxii(demo: Demo, certFr: RegisteredPartner, taxiiKey: string): Promise<void> {
  type StixObject = { type: string; name?: string; abstract?: string; payload_bin?: string };
  const taxii = await call<{ objects: StixObject[] }>(
    demo.base,
    'GET',
    `/taxii2/api/collections/${certFr.channelId}/objects/?limit=1000`,
    { key: taxiiKey, headers: { accept: 'application/taxii+json;version=2.1' } },
  );
  const objects = taxii.objects;
  const count = (type: string) => objects.filter((object) => object.type === type).length;
  log(
    `  TAXII collection ${certFr.channelId}: ${objects.length} STIX objects — reports ${count('report')}, notes ${count('note')}, indicators ${count('indicator')}, ` +
      `encrypted artifacts ${count('artifact')}, TLP/PAP marking definitions ${count('marking-definition')}, team identity ${count('identity')}`,
  );
  for (const report of objects.filter((object) => object.type === 'report' || object.type === 'note'))
    log(`      ${report.type}: ${report.name ?? report.abstract ?? ''}`);
  const artifact = objects.find((object) => object.type === 'artifact');
  if (artifact?.payload_bin) {
    const armored = Buffer.from(artifact.payload_bin, 'base64').toString();
    const opened = JSON.parse((await openSealed(armored, certFr.privateKey, [demo.teamKey])).text) as {
      title?: string;
    };
    log(`  one artifact, decrypted with CERT-FR's key: "${opened.title ?? 'a recall notice'}"`);
  }
}

interface AuditReport {
  events: number;
  checkpoints: number;
  head: { seq: number } | null;
  lastCheckpoint: { seq: number; at: string } | null;
  firstBroken: { seq: number; detail: string } | null;
}

async function showAuditTrail(demo: Demo): Promise<void> {
  log();
  log('The audit trail: every step above, hash-chained, each event authenticated with a key PostgreSQL never holds:');
  // The dispatcher signs the chain head about every second in the demonstration: wait until the last event is signed.
  const report = await eventually(
    async () => {
      const verified = await call<AuditReport>(demo.base, 'GET', '/audit/verify', { key: demo.keys.admin });
      return verified.firstBroken || verified.lastCheckpoint?.seq === verified.head?.seq ? verified : undefined;
    },
    30_000,
    250,
    'the last audit event signed in a checkpoint (see .var/demo/dispatcher.log)',
  );
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
