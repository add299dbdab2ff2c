/**
 * Fan-out of one item to many recipients: the broker's way (sign and encrypt the item once with
 * `sealOnce`, then `addressTo` each recipient: one public-key session-key packet in front of the
 * shared encrypted packet) against the straightforward way (`openpgp.encrypt` with signing, once
 * per recipient), for 1,000 Curve25519 (v4 curve25519Legacy) recipients and 1,000 RSA-4096
 * recipients; and the broker's way split over worker threads, to tell whether a second core pays.
 *
 * A plain Node script: `npm run bench:fanout` (also part of `npm run bench`). The item text comes
 * from a seeded generator; keys are random. RSA-4096 keys are slow to generate, so they are made
 * once and kept under .var/bench/keys/ (git-ignored); later runs reuse them.
 *
 * Every path's output is checked: a sample of recipients' messages from each path is decrypted
 * with the recipient's private key and its signature verified against the team key.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as openpgp from 'openpgp';
// The modules themselves, not the package index: the index also loads the persistence layer (TypeORM).
import { OpenPgpService } from '../libs/crypto/src/openpgp.service';
import { readPublicKey, sealOnce, sessionKeyPacket } from '../libs/crypto/src/seal';
import type { SealedPayload } from '../libs/crypto/src/seal';
import type { AddressJob, WorkerReply } from './fanout-worker';
import { Draw, median } from './draw';

const SEED = 20250601;
const RECIPIENTS = 1_000;
/** The item: a 20 KB JSON item document (advisory text + indicator lines), as the broker signs it. */
const ITEM_BYTES = 20 * 1024;
/** addressTo / encrypt calls in flight at once: the dispatcher's default DELIVERY_CONCURRENCY. */
const CONCURRENCY = 8;
const WORKERS = 2;
/** Timed fan-outs per path and key type (median reported), after one verified warm-up fan-out. */
const REPETITIONS = 7;
/** Recipients whose messages are decrypted and verified, per path and checked fan-out. */
const SAMPLE = 10;
/** Sequential calls timed for the per-recipient cost breakdown. */
const BREAKDOWN_CALLS = 200;

const RSA_BITS = 4096;
/** Distinct RSA keys wanted; fewer are kept if they take longer than the budget to generate. */
const RSA_TARGET_KEYS = RECIPIENTS;
const RSA_MIN_KEYS = 100;
const RSA_BUDGET_MS = 180_000;
/** Keys generated at once: RSA generation runs on libuv's thread pool (4 threads), native. */
const RSA_IN_FLIGHT = 4;
const RSA_KEY_FILE = /^rsa4096-(\d{4})\.asc$/;
const RSA_META_FILE = 'rsa4096-generation.json';

// ---------------------------------------------------------------------------------------------
// Deterministic item text

const WORDS = [
  'secure',
  'update',
  'portal',
  'cdn',
  'login',
  'verify',
  'account',
  'cloud',
  'mail',
  'sync',
  'office',
  'invoice',
  'support',
  'static',
] as const;
const TLDS = ['com', 'net', 'org', 'info', 'top', 'xyz', 'eu', 'ru', 'cc', 'io'] as const;
const ROLES = ['c2', 'payload-delivery', 'phishing', 'exfiltration', 'scanning', 'loader', 'dropper'] as const;
const FAMILIES = ['QakBot', 'IcedID', 'Cobalt Strike', 'SystemBC', 'Sliver', 'Latrodectus'] as const;

const ADVISORY = [
  'Summary',
  'Since 12 May 2025 a financially motivated actor has targeted public administrations and operators of essential services in',
  'several member states with invoice-themed phishing. The lure carries a password-protected archive holding a JavaScript',
  'dropper that fetches a loader from compromised WordPress sites; the loader reflectively injects a Cobalt Strike beacon and,',
  'on selected hosts, a SystemBC proxy used for lateral movement and data staging. In three confirmed intrusions the actor',
  'reached domain administrator within 36 hours and exfiltrated mail stores over HTTPS to rented virtual private servers.',
  '',
  'Recommended actions',
  '1. Block the network indicators below at the perimeter and in DNS resolvers; retro-hunt proxy and DNS logs from 1 May 2025.',
  '2. Search endpoints for the file hashes below and for scheduled tasks named "OneDrive Reporting Task-S-1-5-21-*".',
  '3. Reset credentials of accounts that authenticated from hosts where the loader ran, including service accounts.',
  '4. Report sightings to the team, quoting the advisory identifier, so that the indicator set can be kept current.',
  '',
  'Handling: TLP:AMBER. Recipients may share with members of their own organisation and its clients who need to know in order',
  'to protect themselves or prevent further harm. PAP:AMBER: passive cross-checking only; do not contact the infrastructure.',
  '',
  'Indicators (type|value|role|first seen|confidence|context)',
].join('\n');

function indicator(draw: Draw): string {
  const firstSeen = `2025-05-${String(draw.int(1, 31)).padStart(2, '0')}T${String(draw.int(0, 23)).padStart(2, '0')}:${String(draw.int(0, 59)).padStart(2, '0')}Z`;
  const confidence = draw.pick(['high', 'high', 'medium', 'low'] as const);
  const domain = () => `${draw.pick(WORDS)}-${draw.pick(WORDS)}${draw.int(1, 99)}.${draw.pick(TLDS)}`;
  switch (draw.pick(['ipv4', 'domain', 'sha256', 'url', 'sha256'] as const)) {
    case 'ipv4':
      return `ipv4|${draw.int(5, 223)}.${draw.int(0, 255)}.${draw.int(0, 255)}.${draw.int(1, 254)}|${draw.pick(ROLES)}|${firstSeen}|${confidence}|AS${draw.int(1000, 65000)}`;
    case 'domain':
      return `domain|${domain()}|${draw.pick(ROLES)}|${firstSeen}|${confidence}|registered ${draw.int(1, 60)} days before first use`;
    case 'url':
      return `url|https://${domain()}/wp-content/uploads/2025/05/${draw.hex(12)}.${draw.pick(['js', 'zip', 'dll', 'php'] as const)}|payload-delivery|${firstSeen}|${confidence}|`;
    default:
      return `sha256|${draw.hex(64)}|${draw.pick(ROLES)}|${firstSeen}|${confidence}|${draw.pick(FAMILIES)}`;
  }
}

/** The item document as the dispatcher writes it (apps/dispatcher/src/item-document.ts), ITEM_BYTES at most. */
function itemText(): string {
  const draw = new Draw(SEED);
  const document = (body: string) =>
    JSON.stringify(
      {
        format: 'tlp-broker/item@1',
        id: '3f0c9a52-6d1e-4b7a-9c55-1e2f3a4b5c6d',
        version: 2,
        type: 'advisory',
        tlp: 'TLP:AMBER',
        pap: 'PAP:AMBER',
        severity: 'high',
        title: 'Invoice-themed phishing delivering Cobalt Strike and SystemBC to public administrations',
        summary:
          'Phishing campaign against public administrations and essential services; indicators and recommended actions.',
        body,
        publishedAt: '2025-06-01T12:00:00.000Z',
        publisher: { name: 'Bench Team CSIRT', fingerprint: '0'.repeat(40) },
      },
      null,
      2,
    );
  let body = ADVISORY;
  for (;;) {
    const longer = `${body}\n${indicator(draw)}`;
    if (Buffer.byteLength(document(longer)) > ITEM_BYTES) return document(body);
    body = longer;
  }
}

// ---------------------------------------------------------------------------------------------
// Keys

interface Recipient {
  readonly fingerprint: string;
  /** Armored public key, as the broker stores it. */
  readonly armored: string;
  /** Parsed once beforehand, for the baseline. */
  readonly publicKey: openpgp.PublicKey;
  /** For checking the messages. */
  readonly privateKey: openpgp.PrivateKey;
  /** Which distinct key (recipients cycle over the RSA keys). */
  readonly keyIndex: number;
}

interface KeySet {
  readonly name: string;
  readonly recipients: Recipient[];
  readonly distinct: number;
  /** Parsing every distinct armored public key once, as the cache does on first use. */
  readonly parseMs: number;
  readonly origin: string;
}

function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

async function lanes<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  return results;
}

async function keySet(name: string, privateKeys: readonly openpgp.PrivateKey[], origin: string): Promise<KeySet> {
  const armored = privateKeys.map((key) => key.toPublic().armor());
  const started = performance.now();
  const parsed = await Promise.all(armored.map((text) => readPublicKey(text)));
  const parseMs = performance.now() - started;
  const fingerprints = parsed.map((key) => key.getFingerprint().toUpperCase());
  if (new Set(fingerprints).size !== parsed.length)
    throw new Error(`${name}: the ${parsed.length} keys are not distinct`);
  const recipients = Array.from({ length: RECIPIENTS }, (_, i) => {
    const k = i % parsed.length;
    return {
      fingerprint: fingerprints[k],
      armored: armored[k],
      publicKey: parsed[k],
      privateKey: privateKeys[k],
      keyIndex: k,
    };
  });
  return { name, recipients, distinct: parsed.length, parseMs, origin };
}

async function curve25519Keys(): Promise<KeySet> {
  const started = performance.now();
  const keys = await lanes(RECIPIENTS, CONCURRENCY, async (i) => {
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: `Bench partner ${i}`, email: `partner-${i}@partners.example` }],
      format: 'object',
    });
    return privateKey;
  });
  const seconds = (performance.now() - started) / 1e3;
  return keySet(
    'Curve25519',
    keys,
    `${int(keys.length)} distinct v4 curve25519Legacy keys generated in-process in ${seconds.toFixed(1)} s`,
  );
}

interface RsaMeta {
  keys: number;
  seconds: number;
  finishedAt: string;
  machine: string;
}

/** Generates RSA keys into `dir` until the target, or the time budget once RSA_MIN_KEYS exist. */
async function generateRsaKeys(dir: string, have: number, meta: RsaMeta | null): Promise<void> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1e3;
  let next = have;
  let made = 0;
  console.log(
    `Generating RSA-${RSA_BITS} keys into ${relative(process.cwd(), dir) || dir}/ (${have} there): up to ${RSA_TARGET_KEYS}, ` +
      `stopping after ~${RSA_BUDGET_MS / 1e3} s once ${RSA_MIN_KEYS} exist; ${RSA_IN_FLIGHT} at a time. Only needed once.`,
  );
  const lane = async () => {
    while (next < RSA_TARGET_KEYS && (next < RSA_MIN_KEYS || elapsed() * 1e3 < RSA_BUDGET_MS)) {
      const index = next++;
      const { privateKey } = await openpgp.generateKey({
        type: 'rsa',
        rsaBits: RSA_BITS,
        userIDs: [{ name: `Bench partner RSA ${index}`, email: `rsa-${index}@partners.example` }],
        format: 'armored',
      });
      const file = join(dir, `rsa4096-${String(index).padStart(4, '0')}.asc`);
      writeFileSync(`${file}.tmp`, privateKey, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
      made++;
      if (made % 10 === 0) console.log(`  ${have + made} keys, ${elapsed().toFixed(0)} s`);
    }
  };
  await Promise.all(Array.from({ length: RSA_IN_FLIGHT }, lane));
  const total: RsaMeta = {
    keys: have + made,
    seconds: (meta?.seconds ?? 0) + elapsed(),
    finishedAt: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
  };
  writeFileSync(join(dir, RSA_META_FILE), `${JSON.stringify(total, null, 2)}\n`);
  console.log(
    `Generated ${made} RSA-${RSA_BITS} keys in ${elapsed().toFixed(1)} s (${(elapsed() / Math.max(made, 1)).toFixed(2)} s per key on ${cpus().length} cores).\n`,
  );
}

async function rsaKeys(): Promise<KeySet> {
  const dir = join(repositoryRoot(), '.var', 'bench', 'keys');
  mkdirSync(dir, { recursive: true });
  const files = () =>
    readdirSync(dir)
      .filter((file) => RSA_KEY_FILE.test(file))
      .sort();
  const metaFile = join(dir, RSA_META_FILE);
  const readMeta = (): RsaMeta | null =>
    existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as RsaMeta) : null;
  // A complete earlier generation is reused as it is; one cut short below the minimum is continued.
  if (files().length < RSA_MIN_KEYS) await generateRsaKeys(dir, files().length, readMeta());
  const keys = await Promise.all(
    files().map((file) => openpgp.readPrivateKey({ armoredKey: readFileSync(join(dir, file), 'utf8') })),
  );
  for (const key of keys) {
    const info = key.getAlgorithmInfo();
    const encryption = await key.getEncryptionKey();
    if (
      info.algorithm !== 'rsaEncryptSign' ||
      info.bits !== RSA_BITS ||
      encryption.getAlgorithmInfo().bits !== RSA_BITS
    ) {
      throw new Error(
        `${dir}: ${key.getFingerprint()} is not an RSA-${RSA_BITS} key; delete the folder to generate the keys again`,
      );
    }
  }
  const meta = readMeta();
  const made = meta
    ? `generated in ${meta.seconds.toFixed(0)} s on ${meta.machine}, ${meta.finishedAt.slice(0, 10)}`
    : 'generation time not recorded';
  const cycling =
    keys.length < RECIPIENTS
      ? `; the ${int(RECIPIENTS)} recipients CYCLE over these ${keys.length} keys (recipient i uses key i mod ${keys.length}), each still getting its own RSA public-key operation`
      : '';
  return keySet(
    `RSA-${RSA_BITS}`,
    keys,
    `${int(keys.length)} distinct RSA-${RSA_BITS} keys from ${relative(process.cwd(), dir) || dir}/ (${made})${cycling}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Worker threads

interface Pending {
  resolve: (reply: Extract<WorkerReply, { type: 'done' }>) => void;
  reject: (error: Error) => void;
}

class WorkerPool {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing = false;

  private constructor(private readonly workers: Worker[]) {
    for (const worker of workers) {
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') return;
        const pending = this.pending.get(reply.id);
        if (!pending) return;
        this.pending.delete(reply.id);
        if (reply.type === 'done') pending.resolve(reply);
        else pending.reject(new Error(`worker failed: ${reply.error}`));
      });
      const fail = (error: Error) => {
        for (const pending of this.pending.values()) pending.reject(error);
        this.pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!this.closing) fail(new Error(`worker exited (code ${code})`));
      });
    }
  }

  /** Starts the workers and waits until each has loaded its modules. */
  static async start(count: number): Promise<{ pool: WorkerPool; ms: number }> {
    const file = join(__dirname, 'fanout-worker.js');
    if (!existsSync(file)) throw new Error(`${file} not found: run the compiled benchmark (npm run bench:fanout)`);
    const started = performance.now();
    const workers = await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<Worker>((resolve, reject) => {
            const worker = new Worker(file);
            const exited = (code: number) => reject(new Error(`worker exited during start-up (code ${code})`));
            worker.once('error', reject);
            worker.once('exit', exited);
            worker.once('message', (reply: WorkerReply) => {
              // Only this function's listeners: Worker keeps listeners of its own (port referencing).
              worker.off('error', reject);
              worker.off('exit', exited);
              if (reply.type !== 'ready') return reject(new Error(`unexpected first message ${reply.type}`));
              resolve(worker);
            });
          }),
      ),
    );
    return { pool: new WorkerPool(workers), ms: performance.now() - started };
  }

  get size(): number {
    return this.workers.length;
  }

  address(
    worker: number,
    payload: SealedPayload,
    recipients: AddressJob['recipients'],
  ): Promise<Extract<WorkerReply, { type: 'done' }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[worker].postMessage({
        type: 'address',
        id,
        payload,
        recipients,
        concurrency: CONCURRENCY,
      } satisfies AddressJob);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement

interface Run {
  readonly ms: number;
  /** Process CPU time (all threads) / wall time. */
  readonly cores: number;
  /** CPU time of everything else on the machine / wall time (NaN without /proc/stat). */
  readonly otherCores: number;
  readonly messages: string[];
  /** Keys the workers parsed during this fan-out. */
  readonly parsed?: number;
  /** The longest time a worker spent on its share, from receiving the job to having every message. */
  readonly workerBusyMs?: number;
}

async function timed(work: () => Promise<Omit<Run, 'ms' | 'cores' | 'otherCores'>>): Promise<Run> {
  const machine = machineTicks();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cores = (used.user + used.system) / 1e3 / ms;
  const after = machineTicks();
  const machineCores =
    machine && after
      ? ((after.total - after.idle - (machine.total - machine.idle)) / Math.max(after.total - machine.total, 1)) *
        cpus().length
      : NaN;
  return { ...result, ms, cores, otherCores: Math.max(0, machineCores - cores) };
}

/** (a) The broker path: seal once, then address each recipient through the service and its key cache. */
function brokerPath(service: OpenPgpService, team: openpgp.PrivateKey, text: string, set: KeySet): Promise<Run> {
  return timed(async () => {
    const payload = await service.sealOnce(text, team);
    const messages = await lanes(set.recipients.length, CONCURRENCY, (i) =>
      service.addressTo(payload, set.recipients[i].fingerprint, set.recipients[i].armored),
    );
    return { messages };
  });
}

/** (b) The baseline: sign and encrypt the whole item for each recipient. */
function baselinePath(team: openpgp.PrivateKey, text: string, set: KeySet): Promise<Run> {
  return timed(async () => {
    const messages = await lanes(set.recipients.length, CONCURRENCY, async (i) =>
      openpgp.encrypt({
        message: await openpgp.createMessage({ text }),
        encryptionKeys: set.recipients[i].publicKey,
        signingKeys: team,
      }),
    );
    return { messages };
  });
}

/**
 * (c) Only what no path that gives each recipient a standard message can avoid with openpgp.js:
 * sealOnce, then one public-key session-key packet per recipient (openpgp.encryptSessionKey), not
 * joined to the shared packet nor armored. Its rate bounds any such path; it delivers nothing.
 */
function keyPacketPath(team: openpgp.PrivateKey, text: string, set: KeySet): Promise<Run> {
  return timed(async () => {
    const payload = await sealOnce(text, team);
    await lanes(set.recipients.length, CONCURRENCY, (i) => sessionKeyPacket(payload, set.recipients[i].publicKey));
    return { messages: [] };
  });
}

/** (d) The broker path with addressTo split over the worker threads (contiguous shares). */
function workerPath(
  pool: WorkerPool,
  service: OpenPgpService,
  team: openpgp.PrivateKey,
  text: string,
  set: KeySet,
): Promise<Run> {
  return timed(async () => {
    const payload = await service.sealOnce(text, team);
    const share = Math.ceil(set.recipients.length / pool.size);
    const replies = await Promise.all(
      Array.from({ length: pool.size }, (_, w) =>
        pool.address(
          w,
          payload,
          set.recipients
            .slice(w * share, (w + 1) * share)
            .map(({ fingerprint, armored }) => ({ fingerprint, armored })),
        ),
      ),
    );
    return {
      messages: replies.flatMap((reply) => reply.messages),
      parsed: replies.reduce((sum, reply) => sum + reply.parsed, 0),
      workerBusyMs: Math.max(...replies.map((reply) => reply.busyMs)),
    };
  });
}

/**
 * sealOnce alone (median of a few), and per recipient, one call at a time over the first
 * BREAKDOWN_CALLS recipients: the whole addressTo, and the public-key session-key packet alone
 * (the rest is copying and armoring the ~20 KB shared packet).
 */
async function breakdown(
  service: OpenPgpService,
  team: openpgp.PrivateKey,
  text: string,
  set: KeySet,
): Promise<Breakdown> {
  const seals: number[] = [];
  let payload: SealedPayload | undefined;
  for (let k = 0; k < 5; k++) {
    const sealStarted = performance.now();
    payload = await service.sealOnce(text, team);
    seals.push(performance.now() - sealStarted);
  }
  if (!payload) throw new Error('unreachable');
  const sealed = payload;
  const recipients = set.recipients.slice(0, BREAKDOWN_CALLS);
  const perCall = async (call: (r: Recipient) => Promise<unknown>) => {
    const started = performance.now();
    for (const r of recipients) await call(r);
    return ((performance.now() - started) * 1e3) / recipients.length;
  };
  // Alternated, best of three each: the first rounds also collect the garbage of the timed fan-outs.
  let addressUs = Infinity;
  let packetUs = Infinity;
  for (let round = 0; round < 3; round++) {
    addressUs = Math.min(addressUs, await perCall((r) => service.addressTo(sealed, r.fingerprint, r.armored)));
    packetUs = Math.min(
      packetUs,
      await perCall((r) =>
        openpgp.encryptSessionKey({
          data: sealed.sessionKey,
          algorithm: sealed.sessionKeyAlgorithm,
          encryptionKeys: r.publicKey,
          format: 'binary',
        }),
      ),
    );
  }
  return { sealMs: median(seals), addressUs, packetUs };
}

interface Breakdown {
  readonly sealMs: number;
  /** One addressTo, calls one at a time. */
  readonly addressUs: number;
  /** The public-key session-key packet alone (openpgp.encryptSessionKey). */
  readonly packetUs: number;
}

function sampleIndices(count: number): number[] {
  const step = (count - 1) / (SAMPLE - 1);
  return [...new Set(Array.from({ length: SAMPLE }, (_, k) => Math.round(k * step)))];
}

/**
 * Checks one fan-out: one message per recipient, all different, and for a sample of recipients
 * the message decrypts with that recipient's private key to exactly the item, signed by the team
 * key — and does not decrypt with another recipient's key. Throws at the first failure.
 */
async function verify(what: string, run: Run, set: KeySet, team: openpgp.PublicKey, text: string): Promise<number> {
  const { messages } = run;
  if (messages.length !== set.recipients.length)
    throw new Error(`${what}: ${messages.length} messages for ${set.recipients.length} recipients`);
  if (new Set(messages).size !== messages.length) throw new Error(`${what}: some recipients got identical messages`);
  const teamKeyIDs = team.getKeys().map((key) => key.getKeyID());
  const indices = sampleIndices(messages.length);
  for (const i of indices) {
    const recipient = set.recipients[i];
    const where = `${what}, recipient ${i} (${recipient.fingerprint})`;
    let data: string;
    let signatures: openpgp.DecryptMessageResult['signatures'];
    try {
      const message = await openpgp.readMessage({ armoredMessage: messages[i] });
      ({ data, signatures } = await openpgp.decrypt({
        message,
        decryptionKeys: recipient.privateKey,
        verificationKeys: team,
        expectSigned: true,
      }));
      for (const signature of signatures) await signature.verified;
    } catch (error) {
      throw new Error(
        `${where}: does not decrypt and verify: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (data !== text)
      throw new Error(`${where}: decrypted text differs from the item (${data.length} vs ${text.length} characters)`);
    if (signatures.length !== 1 || !teamKeyIDs.some((id) => id.equals(signatures[0].keyID))) {
      throw new Error(
        `${where}: expected one signature by the team key, got ${signatures.map((s) => s.keyID.toHex()).join(', ') || 'none'}`,
      );
    }
  }
  // A message addressed to one recipient must not open with another's key.
  const i = indices[1];
  const other = set.recipients.find((r) => r.keyIndex !== set.recipients[i].keyIndex)!;
  const opened = await openpgp
    .decrypt({ message: await openpgp.readMessage({ armoredMessage: messages[i] }), decryptionKeys: other.privateKey })
    .then(() => true)
    .catch(() => false);
  if (opened)
    throw new Error(`${what}: recipient ${i}'s message decrypts with another recipient's key (${other.fingerprint})`);
  return indices.length;
}

interface Stats {
  readonly ms: number;
  readonly perSecond: number;
  /** Median absolute deviation / median. */
  readonly spread: number;
  readonly cores: number;
  readonly otherCores: number;
}

function stats(runs: readonly Run[], deliveries: number): Stats {
  const ms = median(runs.map((run) => run.ms));
  return {
    ms,
    perSecond: (deliveries * 1e3) / ms,
    spread: median(runs.map((run) => Math.abs(run.ms - ms))) / ms,
    cores: median(runs.map((run) => run.cores)),
    otherCores: median(runs.map((run) => run.otherCores)),
  };
}

interface Result {
  readonly set: KeySet;
  readonly broker: Stats;
  readonly baseline: Stats;
  /** (c): key packets alone, the ceiling of any path that sends standard messages. */
  readonly packets: Stats;
  readonly workers: Stats;
  /** Steady state: median of the slowest worker's own time per fan-out (the rest of (d) is sealing, copying and messaging). */
  readonly workerBusyMs: number;
  readonly startupMs: number;
  /** The first fan-out on fresh workers: they parse every key. */
  readonly firstMs: number;
  readonly firstParsed: number;
  readonly breakdown: Breakdown;
  readonly verified: number;
}

async function measure(set: KeySet, service: OpenPgpService, team: openpgp.PrivateKey, text: string): Promise<Result> {
  const teamPublic = team.toPublic();
  let verified = 0;
  console.log(`${set.name}: ${set.origin}.`);

  // Warm-up fan-outs, verified; the first broker pass fills the service's key cache.
  verified += await verify(
    `${set.name} (a) warm-up`,
    await brokerPath(service, team, text, set),
    set,
    teamPublic,
    text,
  );
  verified += await verify(`${set.name} (b) warm-up`, await baselinePath(team, text, set), set, teamPublic, text);
  const { pool, ms: startupMs } = await WorkerPool.start(WORKERS);
  try {
    const first = await (async () => {
      const run = await workerPath(pool, service, team, text, set);
      verified += await verify(`${set.name} (d) first`, run, set, teamPublic, text);
      return { ms: run.ms, parsed: run.parsed ?? 0 };
    })();
    // A second, untimed fan-out so that the workers' code is as warm as the main thread's.
    await workerPath(pool, service, team, text, set);

    const broker: Run[] = [];
    const baseline: Run[] = [];
    const packets: Run[] = [];
    const workers: Run[] = [];
    // Alternate the paths so that drift (clock, other load, GC debt) falls on all alike.
    for (let r = 0; r < REPETITIONS; r++) {
      // Only the last fan-out's messages are kept (to be checked): holding every run's 1,000 × ~28 KB
      // would grow the heap from one repetition to the next and slow the later ones down.
      for (const runs of [broker, baseline, workers]) if (r > 0) runs[r - 1] = { ...runs[r - 1], messages: [] };
      broker.push(await brokerPath(service, team, text, set));
      baseline.push(await baselinePath(team, text, set));
      packets.push(await keyPacketPath(team, text, set));
      workers.push(await workerPath(pool, service, team, text, set));
      process.stdout.write(
        `  repetition ${r + 1}/${REPETITIONS}: (a) ${broker[r].ms.toFixed(0)} ms, (b) ${baseline[r].ms.toFixed(0)} ms, (c) ${packets[r].ms.toFixed(0)} ms, (d) ${workers[r].ms.toFixed(0)} ms\n`,
      );
    }
    for (const [label, runs] of [
      ['(a)', broker],
      ['(b)', baseline],
      ['(d)', workers],
    ] as const) {
      verified += await verify(`${set.name} ${label} last timed`, runs[runs.length - 1], set, teamPublic, text);
    }
    const result: Result = {
      set,
      broker: stats(broker, set.recipients.length),
      baseline: stats(baseline, set.recipients.length),
      packets: stats(packets, set.recipients.length),
      workers: stats(workers, set.recipients.length),
      workerBusyMs: median(workers.map((run) => run.workerBusyMs ?? 0)),
      startupMs,
      firstMs: first.ms,
      firstParsed: first.parsed,
      breakdown: await breakdown(service, team, text, set),
      verified,
    };
    console.log('');
    return result;
  } finally {
    await pool.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const ms1 = (value: number) => value.toFixed(value < 100 ? 1 : 0);
const pct = (value: number) => `±${(value * 100).toFixed(1)}%`;
const times = (value: number) => `${value.toFixed(2)}×`;

/** The machine's CPU time so far, all CPUs, in clock ticks (Linux /proc/stat); null elsewhere. */
function machineTicks(): { idle: number; total: number } | null {
  if (!existsSync('/proc/stat')) return null;
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: idle + iowait are idle time.
  return { idle: fields[3] + (fields[4] ?? 0), total: fields.slice(0, 8).reduce((sum, value) => sum + value, 0) };
}

/** How busy the machine's CPUs are over the next second (other processes, since this one idles). */
async function machineBusy(): Promise<string> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = machineTicks();
  if (!before || !after) return 'unknown (no /proc/stat)';
  const busy = 1 - (after.idle - before.idle) / Math.max(after.total - before.total, 1);
  return `${(busy * 100).toFixed(0)}% of ${cpus().length} cores`;
}

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

async function main(): Promise<void> {
  const started = performance.now();
  const text = itemText();
  const indicators = text.split('\\n').filter((line) => /^(ipv4|domain|sha256|url)\|/.test(line)).length;
  console.log(
    `Fan-out benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${openpgp.config.versionString}`,
  );
  console.log(
    `One item of ${int(Buffer.byteLength(text))} bytes (JSON item document: advisory text + ${indicators} indicator lines, seed ${SEED}) to ${int(RECIPIENTS)} recipients per key type; ` +
      `${CONCURRENCY} calls in flight (the dispatcher's default DELIVERY_CONCURRENCY); median of ${REPETITIONS} timed fan-outs per path after a verified warm-up.`,
  );
  console.log(
    `CPU used by other processes just before the run: ${await machineBusy()} (other load makes the figures, the two-worker ones most, vary).\n`,
  );

  const { privateKey: team } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Bench Team CSIRT', email: 'csirt@team.example' }],
    format: 'object',
  });
  const service = new OpenPgpService();
  const rsa = await rsaKeys();
  const curve = await curve25519Keys();
  const results: Result[] = [];
  for (const set of [curve, rsa]) results.push(await measure(set, service, team, text));

  const rows = results.flatMap((r) => [
    [
      r.set.name,
      '(a) broker: sealOnce + addressTo each',
      int(r.broker.perSecond),
      ms1(r.broker.ms),
      pct(r.broker.spread),
      r.broker.cores.toFixed(2),
      r.broker.otherCores.toFixed(2),
      times(r.broker.perSecond / r.baseline.perSecond),
      times(1),
    ],
    [
      r.set.name,
      '(b) baseline: encrypt+sign each',
      int(r.baseline.perSecond),
      ms1(r.baseline.ms),
      pct(r.baseline.spread),
      r.baseline.cores.toFixed(2),
      r.baseline.otherCores.toFixed(2),
      times(1),
      times(r.baseline.perSecond / r.broker.perSecond),
    ],
    [
      r.set.name,
      '(c) ceiling: key packets alone',
      int(r.packets.perSecond),
      ms1(r.packets.ms),
      pct(r.packets.spread),
      r.packets.cores.toFixed(2),
      r.packets.otherCores.toFixed(2),
      times(r.packets.perSecond / r.baseline.perSecond),
      times(r.packets.perSecond / r.broker.perSecond),
    ],
    [
      r.set.name,
      `(d) (a) on ${WORKERS} worker threads, steady`,
      int(r.workers.perSecond),
      ms1(r.workers.ms),
      pct(r.workers.spread),
      r.workers.cores.toFixed(2),
      r.workers.otherCores.toFixed(2),
      times(r.workers.perSecond / r.baseline.perSecond),
      times(r.workers.perSecond / r.broker.perSecond),
    ],
  ]);
  console.log(
    table(
      ['keys', 'path', 'deliveries/s', `ms / ${int(RECIPIENTS)}`, 'spread', 'cores busy', 'others', '÷ (b)', '÷ (a)'],
      rows,
      new Set([2, 3, 4, 5, 6, 7, 8]),
    ),
  );
  console.log(
    "\n÷ (b), ÷ (a) = deliveries/s relative to the baseline and to the broker path. (c) makes only the openpgp.js session-key packets (no message): no path giving each recipient its own standard message can beat it. cores busy = this process's CPU time (all threads) / wall time;",
  );
  console.log(
    `others = CPU time of other processes on the machine / wall time, during the same fan-outs (medians; ${cpus().length} cores in all).`,
  );
  console.log(
    'spread = median absolute deviation / median over the timed fan-outs. (a) and (d) include their sealOnce; keys are parsed once beforehand on every path.\n',
  );

  console.log(
    table(
      [
        'keys',
        'distinct keys',
        'parse all once',
        'sealOnce',
        'addressTo, one at a time',
        'of which key packet',
        `${WORKERS} workers: start-up`,
        'first fan-out (parses keys)',
        'start-up + first → deliveries/s',
        '(d) steady: in workers / wall',
      ],
      results.map((r) => [
        r.set.name,
        int(r.set.distinct),
        `${ms1(r.set.parseMs)} ms`,
        `${ms1(r.breakdown.sealMs)} ms`,
        `${int(r.breakdown.addressUs)} µs`,
        `${int(r.breakdown.packetUs)} µs`,
        `${ms1(r.startupMs)} ms`,
        `${ms1(r.firstMs)} ms (${int(r.firstParsed)} parsed)`,
        int((RECIPIENTS * 1e3) / (r.startupMs + r.firstMs)),
        `${ms1(r.workerBusyMs)} / ${ms1(r.workers.ms)} ms`,
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ),
  );
  console.log(
    `\nstart-up = spawning ${WORKERS} workers until each has loaded openpgp and the seal module (in parallel); first fan-out = sealOnce + the first job, in which each worker parses the keys of its share (and its code is still cold);`,
  );
  console.log(
    `addressTo, one at a time = one call after another (cached key) over ${BREAKDOWN_CALLS} recipients (best of 3); of which key packet = openpgp.encryptSessionKey alone, the rest is joining and armoring the shared packet;`,
  );
  console.log(
    `in workers = the slowest worker's own time on its share; the rest of the wall time is sealOnce, copying keys in and ${int(RECIPIENTS)} armored messages out, and messaging.`,
  );
  if (rsa.distinct < RECIPIENTS) {
    console.log(
      `NOTE: RSA-${RSA_BITS} uses ${rsa.distinct} distinct keys for ${int(RECIPIENTS)} recipients (cycling): every recipient still gets its own RSA public-key operation.`,
    );
  }
  const verified = results.reduce((sum, r) => sum + r.verified, 0);
  console.log(
    `Checked: ${int(verified)} sampled messages from every path (warm-up, first worker fan-out, last timed fan-out) decrypted with the recipient's private key to the exact item, ` +
      `signature verified against the team key (expectSigned), and none opened with another recipient's key; every fan-out gave ${int(RECIPIENTS)} distinct messages.`,
  );

  console.log(`CPU used by other processes just after the run: ${await machineBusy()}.\n`);
  const c = results.find((r) => r.set === curve)!;
  const r = results.find((x) => x.set === rsa)!;
  const ratio = (x: Result) => x.broker.perSecond / x.baseline.perSecond;
  console.log(
    `Summary: broker path ${int(c.broker.perSecond)} deliveries/s on Curve25519 = ${times(ratio(c))} the per-recipient encrypt (target ≥ 5×: ${ratio(c) >= 5 ? 'met' : 'NOT met'}; ` +
      `ceiling — key packets alone — ${times(c.packets.perSecond / c.baseline.perSecond)}), ` +
      `${int(r.broker.perSecond)}/s on RSA-${RSA_BITS} = ${times(ratio(r))}; ${WORKERS} worker threads: ${times(c.workers.perSecond / c.broker.perSecond)} (Curve25519), ` +
      `${times(r.workers.perSecond / r.broker.perSecond)} (RSA) of the broker path in steady state, after ${ms1(Math.max(c.startupMs, r.startupMs))} ms start-up; ` +
      `${int(verified)} messages verified; ${((performance.now() - started) / 1e3).toFixed(1)} s.`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
