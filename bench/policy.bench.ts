/**
 * Policy engine throughput: one item decided against every channel of 10,000 partners, by the
 * prepared path the routing worker uses (`prepare` once, then `.decide` per channel) and by the
 * straightforward per-decision call (`decide`, which prepares the item again for each decision).
 *
 * A plain Node script: `npm run bench`. Data come from a seeded generator, so every run decides
 * the same partners and items; only the timings vary.
 */
import { cpus } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { decide, prepare } from '@tlp-broker/tlp';
import type {
  Decision,
  PolicyChannel,
  PolicyContact,
  PolicyItem,
  PolicyKey,
  PolicyOrganisation,
  PolicyTeam,
  ReasonCode,
} from '@tlp-broker/tlp';
import { Draw, median } from './draw';
import type { ChannelKind } from '@tlp-broker/domain';

const SEED = 20250412;
const PARTNERS = 10_000;
/** Timed samples per path and item, after one verifying pass and one warm-up pass. */
const REPETITIONS = 7;
/** Each sample repeats whole passes (prepare included) until it lasts about this long, so timer and GC noise stay small. */
const MIN_SAMPLE_NS = 50e6;
const NOW = new Date('2025-06-01T12:00:00Z');
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Deterministic data

const COMMUNITIES = [
  'csirts-network',
  'eu-le-cyber',
  'europol-ec3-partners',
  'nl-fi-isac',
  'be-energy-isac',
  'de-telco-isac',
  'fr-health-isac',
  'nordic-cert-forum',
  'ics-operators',
  'cloud-providers',
  'registrars',
  'academic-csirts',
] as const;

const ORG_KINDS = [
  'CERT',
  'CSIRT',
  'Police Cyber Unit',
  'Prosecution Office',
  'ISAC',
  'Bank SOC',
  'Energy SOC',
  'Hospital IT',
  'Registrar',
  'Hosting Provider',
] as const;
const GIVEN = ['Anna', 'Jan', 'Marie', 'Luca', 'Sofia', 'Piet', 'Eva', 'Tomas', 'Ines', 'Karl', 'Lea', 'Nils'] as const;
const FAMILY = [
  'Jansen',
  'Dubois',
  'Rossi',
  'Novak',
  'Schmidt',
  'Kowalski',
  'Berg',
  'Garcia',
  'Peeters',
  'Larsen',
] as const;

interface Partners {
  readonly team: PolicyTeam;
  readonly organisations: PolicyOrganisation[];
  readonly contacts: PolicyContact[];
  /** Parallel arrays: decision i is about (organisations[i], channels[i]). */
  readonly pairOrganisations: PolicyOrganisation[];
  readonly pairChannels: PolicyChannel[];
}

function generateKey(draw: Draw): PolicyKey | null {
  const state = draw.weighted([
    ['missing', 4],
    ['revoked', 2],
    ['expired', 3],
    ['weak', 2],
    ['no-encryption', 1],
    ['good', 88],
  ] as const);
  if (state === 'missing') return null;
  const fingerprint = draw.hex(40).toUpperCase();
  const future = new Date(NOW.getTime() + draw.int(30, 900) * DAY_MS);
  const strong = draw.weighted([
    [{ algorithm: 'rsaEncryptSign', bits: 4096 }, 45],
    [{ algorithm: 'rsaEncryptSign', bits: 3072 }, 15],
    [{ algorithm: 'eddsaLegacy ed25519Legacy', bits: null }, 40],
  ] as const);
  const base: PolicyKey = {
    fingerprint,
    expiresAt: draw.chance(0.5) ? future : null,
    revoked: false,
    canEncrypt: true,
    ...strong,
  };
  switch (state) {
    case 'revoked':
      return { ...base, revoked: true };
    case 'expired':
      return { ...base, expiresAt: new Date(NOW.getTime() - draw.int(1, 400) * DAY_MS) };
    case 'weak':
      return {
        ...base,
        ...draw.pick([
          { algorithm: 'rsaEncryptSign', bits: 2048 },
          { algorithm: 'rsaEncryptSign', bits: 1024 },
          { algorithm: 'dsa', bits: 2048 },
        ]),
      };
    case 'no-encryption':
      return { ...base, canEncrypt: false };
    default:
      return base;
  }
}

function generatePartners(draw: Draw): Partners {
  const organisations: PolicyOrganisation[] = [];
  const contacts: PolicyContact[] = [];
  const pairOrganisations: PolicyOrganisation[] = [];
  const pairChannels: PolicyChannel[] = [];

  for (let i = 1; i <= PARTNERS; i++) {
    const kind = draw.pick(ORG_KINDS);
    const organisation: PolicyOrganisation = {
      id: draw.uuid(),
      name: `${kind} ${String(i).padStart(5, '0')}`,
      relation: draw.chance(0.55) ? 'constituent' : 'peer',
      communities: draw.sample(
        COMMUNITIES,
        draw.weighted([
          [0, 15],
          [1, 45],
          [2, 28],
          [3, 12],
        ] as const),
      ),
      // A couple of suspended partners among ten thousand.
      status: draw.chance(0.002) ? 'suspended' : 'active',
      accreditations: draw.weighted([
        [[], 85],
        [['need-to-know'], 11],
        [['judicial-secret', 'need-to-know'], 4],
      ] as const),
    };
    organisations.push(organisation);

    const channelCount = draw.weighted([
      [1, 40],
      [2, 35],
      [3, 25],
    ] as const);
    const orgKinds = draw.sample(['feed', 'email', 'webhook'] as const, 3);
    for (let c = 0; c < channelCount; c++) {
      // The first channel is the organisation's own; later ones are sometimes a person's.
      const personal = c > 0 && draw.chance(0.35);
      let contact: PolicyContact | null = null;
      let channelKind: ChannelKind;
      let redistributes = false;
      if (personal) {
        contact = {
          id: draw.uuid(),
          name: `${draw.pick(GIVEN)} ${draw.pick(FAMILY)}`,
          status: draw.chance(0.02) ? 'suspended' : 'active',
        };
        contacts.push(contact);
        channelKind = draw.weighted([
          ['email', 68],
          ['feed', 30],
          ['webhook', 2],
        ] as const);
      } else {
        channelKind = draw.chance(0.005) ? 'public' : orgKinds[c];
        // ISAC re-distribution feeds and mailing lists relay to third parties.
        redistributes = channelKind !== 'public' && (kind === 'ISAC' ? draw.chance(0.7) : draw.chance(0.06));
      }
      pairOrganisations.push(organisation);
      pairChannels.push({
        id: draw.uuid(),
        kind: channelKind,
        redistributes,
        status: draw.chance(0.01) ? 'suspended' : 'active',
        contact,
        key: channelKind === 'public' ? null : generateKey(draw),
      });
    }
  }
  return {
    team: { communities: ['csirts-network', 'eu-le-cyber', 'europol-ec3-partners'] },
    organisations,
    contacts,
    pairOrganisations,
    pairChannels,
  };
}

interface BenchItem {
  readonly name: string;
  readonly audience: string;
  readonly item: PolicyItem;
}

function generateItems(draw: Draw, partners: Partners): BenchItem[] {
  const orgIds = partners.organisations.map((organisation) => organisation.id);
  const contactIds = partners.contacts.map((contact) => contact.id);
  const none = { communities: [], organisations: [], contacts: [] };
  const amberOrgs = draw.sample(orgIds, 2_000);
  const amberContacts = draw.sample(contactIds, 100);
  const strictOrgs = draw.sample(orgIds, 500);
  const strictContacts = draw.sample(contactIds, 25);
  const caveatOrgs = draw.sample(orgIds, 1_000);
  const consentOrgs = draw.sample(orgIds, 300);
  return [
    {
      name: 'TLP:CLEAR',
      audience: 'everyone',
      item: { kind: 'advisory', tlp: 'TLP:CLEAR', pap: 'PAP:CLEAR', audience: none },
    },
    {
      name: 'TLP:GREEN',
      audience: '3 communities',
      item: {
        kind: 'threat-datasheet',
        tlp: 'TLP:GREEN',
        pap: 'PAP:GREEN',
        audience: { communities: ['nl-fi-isac', 'be-energy-isac', 'ics-operators'], organisations: [], contacts: [] },
      },
    },
    {
      name: 'TLP:AMBER',
      audience: '2,000 orgs + 100 contacts',
      item: {
        kind: 'alert',
        tlp: 'TLP:AMBER',
        pap: 'PAP:AMBER',
        audience: { communities: [], organisations: amberOrgs, contacts: amberContacts },
      },
    },
    {
      name: 'TLP:AMBER+STRICT',
      audience: '500 orgs + 25 contacts',
      item: {
        kind: 'alert',
        tlp: 'TLP:AMBER+STRICT',
        pap: 'PAP:AMBER',
        audience: { communities: [], organisations: strictOrgs, contacts: strictContacts },
      },
    },
    {
      name: 'TLP:RED',
      audience: '50 contacts',
      item: {
        kind: 'advisory',
        tlp: 'TLP:RED',
        pap: 'PAP:RED',
        audience: { communities: [], organisations: [], contacts: draw.sample(contactIds, 50) },
      },
    },
    {
      name: 'TLP:AMBER caveat+prov.',
      audience: '1,000 orgs; consent 300 + 1 comm.',
      item: {
        kind: 'intel-report',
        tlp: 'TLP:AMBER',
        pap: 'PAP:AMBER',
        audience: { communities: [], organisations: caveatOrgs, contacts: [] },
        caveats: ['need-to-know'],
        provenance: {
          originator: partners.organisations[17].name,
          label: 'TLP:AMBER',
          consent: {
            audience: { communities: ['europol-ec3-partners'], organisations: consentOrgs, contacts: [] },
            reference: 'consent letter 2025-0412',
          },
        },
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Measurement

/** One timed sample: `passes` full passes over every (organisation, channel) pair. */
interface Run {
  readonly ns: number;
  readonly passes: number;
  /** Allowed decisions summed over the passes: checked against the verified pass. */
  readonly allowed: number;
}

/** The routing worker's way: prepare the item once per pass, then decide each pair. */
function runPrepared(item: PolicyItem, partners: Partners, passes: number): Run {
  const { team, pairOrganisations: organisations, pairChannels: channels } = partners;
  const n = channels.length;
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let p = 0; p < passes; p++) {
    const prepared = prepare(item, team);
    for (let i = 0; i < n; i++) {
      if (prepared.decide(organisations[i], channels[i], NOW).allow) allowed++;
    }
  }
  return { ns: Number(process.hrtime.bigint() - start), passes, allowed };
}

/** The straightforward way: one `decide` call per pair, which prepares the item every time. */
function runNaive(item: PolicyItem, partners: Partners, passes: number): Run {
  const { team, pairOrganisations: organisations, pairChannels: channels } = partners;
  const n = channels.length;
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < n; i++) {
      if (decide({ item, organisation: organisations[i], channel: channels[i], now: NOW, team }).allow) allowed++;
    }
  }
  return { ns: Number(process.hrtime.bigint() - start), passes, allowed };
}

/**
 * Warm-up: one pass, then about one sample's worth, so the optimising compiler has settled; the
 * second tells how many passes make a sample of MIN_SAMPLE_NS.
 */
function calibrate(
  run: (item: PolicyItem, partners: Partners, passes: number) => Run,
  item: PolicyItem,
  partners: Partners,
): number {
  const passesFor = (r: Run) => Math.max(1, Math.ceil((MIN_SAMPLE_NS * r.passes) / Math.max(r.ns, 1)));
  const first = run(item, partners, 1);
  if (first.ns >= MIN_SAMPLE_NS) return 1;
  return passesFor(run(item, partners, passesFor(first)));
}

/**
 * Decides every pair both ways and throws at the first difference. Also the first warm-up pass.
 */
function verify(bench: BenchItem, partners: Partners): Decision[] {
  const { team, pairOrganisations: organisations, pairChannels: channels } = partners;
  const prepared = prepare(bench.item, team);
  const decisions: Decision[] = [];
  for (let i = 0; i < channels.length; i++) {
    const fast = prepared.decide(organisations[i], channels[i], NOW);
    const slow = decide({ item: bench.item, organisation: organisations[i], channel: channels[i], now: NOW, team });
    if (!isDeepStrictEqual(fast, slow)) {
      throw new Error(
        `${bench.name}: the prepared and per-decision paths disagree for organisation ${organisations[i].id}, channel ${channels[i].id}:\n` +
          `  prepare().decide(): ${JSON.stringify(fast)}\n  decide():           ${JSON.stringify(slow)}`,
      );
    }
    decisions.push(fast);
  }
  return decisions;
}

interface Stats {
  /** Median nanoseconds per decision. */
  readonly nsPerDecision: number;
  readonly decisionsPerSecond: number;
  /** Median absolute deviation / median, over the timed samples: robust to a sample preempted by other load. */
  readonly spread: number;
}

function stats(runs: readonly Run[], decisions: number): Stats {
  const perDecision = runs.map((run) => run.ns / (run.passes * decisions));
  const mid = median(perDecision);
  return {
    nsPerDecision: mid,
    decisionsPerSecond: 1e9 / mid,
    spread: median(perDecision.map((value) => Math.abs(value - mid))) / mid,
  };
}

interface Result {
  readonly bench: BenchItem;
  readonly decisions: number;
  readonly allowed: number;
  readonly denials: ReadonlyMap<ReasonCode, number>;
  readonly prepared: Stats;
  readonly naive: Stats;
  /** Passes per timed sample, prepared and per-decision. */
  readonly passes: readonly [number, number];
}

interface Verified {
  readonly bench: BenchItem;
  readonly decisions: number;
  readonly allowed: number;
  readonly denials: ReadonlyMap<ReasonCode, number>;
}

function summarise(bench: BenchItem, decisions: readonly Decision[]): Verified {
  const denials = new Map<ReasonCode, number>();
  for (const decision of decisions)
    if (!decision.allow) denials.set(decision.code, (denials.get(decision.code) ?? 0) + 1);
  return {
    bench,
    decisions: decisions.length,
    allowed: decisions.filter((decision) => decision.allow).length,
    denials,
  };
}

function measure(verified: Verified, partners: Partners): Result {
  const { item } = verified.bench;
  const preparedPasses = calibrate(runPrepared, item, partners);
  const naivePasses = calibrate(runNaive, item, partners);
  const prepared: Run[] = [];
  const naive: Run[] = [];
  // Alternate the two paths so that drift (clock, other load, GC debt) falls on both alike.
  for (let r = 0; r < REPETITIONS; r++) {
    prepared.push(runPrepared(item, partners, preparedPasses));
    naive.push(runNaive(item, partners, naivePasses));
  }
  for (const run of [...prepared, ...naive]) {
    if (run.allowed !== run.passes * verified.allowed) {
      throw new Error(
        `${verified.bench.name}: a timed sample allowed ${run.allowed} decisions in ${run.passes} passes, the verified pass ${verified.allowed} per pass.`,
      );
    }
  }
  return {
    ...verified,
    prepared: stats(prepared, verified.decisions),
    naive: stats(naive, verified.decisions),
    passes: [preparedPasses, naivePasses],
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const ns = (value: number) => value.toFixed(value < 100 ? 1 : 0);
const pct = (value: number) => `±${(value * 100).toFixed(1)}%`;

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: ReadonlySet<number>,
): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function main(): void {
  const started = process.hrtime.bigint();
  const draw = new Draw(SEED);
  const partners = generatePartners(draw);
  const items = generateItems(draw, partners);
  const personal = partners.pairChannels.filter((channel) => channel.contact !== null).length;
  const redistributing = partners.pairChannels.filter((channel) => channel.redistributes).length;

  console.log(
    `Policy engine benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
  );
  console.log(
    `${int(partners.organisations.length)} partners (${int(partners.organisations.filter((o) => o.status !== 'active').length)} suspended), ` +
      `${int(partners.pairChannels.length)} channels (${int(personal)} personal, ${int(redistributing)} redistributing), seed ${SEED}; ` +
      `median of ${REPETITIONS} timed samples (≥ ${MIN_SAMPLE_NS / 1e6} ms each) per path, after a verifying pass and a warm-up.\n`,
  );

  // Every item is checked (and both paths run over every label's branches) before anything is timed.
  const verified = items.map((bench) => summarise(bench, verify(bench, partners)));
  const results = verified.map((v) => measure(v, partners));

  const rows = results.map((r) => [
    r.bench.name,
    r.bench.audience,
    int(r.decisions),
    int(r.allowed),
    int(r.prepared.decisionsPerSecond),
    ns(r.prepared.nsPerDecision),
    pct(r.prepared.spread),
    int(r.naive.decisionsPerSecond),
    ns(r.naive.nsPerDecision),
    pct(r.naive.spread),
    `${(r.naive.nsPerDecision / r.prepared.nsPerDecision).toFixed(1)}×`,
    `${r.passes[0]} / ${r.passes[1]}`,
  ]);
  console.log(
    table(
      [
        'item',
        'audience',
        'decisions',
        'allowed',
        'prepared dec/s',
        'ns/dec',
        'spread',
        'decide() dec/s',
        'ns/dec',
        'spread',
        'speed-up',
        'passes/sample',
      ],
      rows,
      new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    ),
  );
  console.log(
    '\nprepared = prepare(item, team) once (timed) + .decide() per channel; decide() = decide({ item, organisation, channel, now, team }) per channel.',
  );
  console.log(
    'spread = median absolute deviation / median over the timed samples; passes/sample = full passes per timed sample (prepared / decide()).',
  );
  console.log('Every decision identical on both paths (allow, code, reason, handling compared for every pair).\n');

  console.log(
    table(
      ['item', 'most frequent denials'],
      results.map((r) => [
        r.bench.name,
        [...r.denials.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([code, count]) => `${code} ${int(count)}`)
          .join(', '),
      ]),
      new Set(),
    ),
  );

  const ratios = results.map((r) => r.naive.nsPerDecision / r.prepared.nsPerDecision);
  const total = results.reduce((sum, r) => sum + r.decisions, 0);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `\nSummary: prepared engine ${int(Math.min(...results.map((r) => r.prepared.decisionsPerSecond)))}–${int(Math.max(...results.map((r) => r.prepared.decisionsPerSecond)))} decisions/s, ` +
      `${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)}× the per-decision decide() over ${results.length} items × ${int(total / results.length)} decisions; ` +
      `all ${int(total)} decisions identical on both paths; ${seconds.toFixed(1)} s.`,
  );
}

main();
