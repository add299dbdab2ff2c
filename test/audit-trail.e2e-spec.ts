import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { DataSource, EntityManager } from 'typeorm';
import { deriveAuditKey } from '@tlp-broker/config';
import * as openpgp from 'openpgp';
import { checkpointSignatureChecker, generateKeyPair, signCheckpoint } from '@tlp-broker/crypto';
import { AuditLog, auditHash, createDataSource, verifyAuditTrail } from '@tlp-broker/persistence';
import { startBroker, TestBroker } from './support/broker';
import { runCli } from './support/cli';
import { createDatabase, dropDatabase, uniqueName } from './support/databases';
import { GnuPG } from './support/gnupg';
import { eventually, http } from './support/http';
import { registerPartner } from './support/partners';

/**
 * The audit trail against what a database administrator can do: the superuser connection
 * (`broker.db`) plays the administrator, with the append-only trigger switched off where the
 * attack needs it; the broker's own verification (GET /audit/verify, `tlp-broker audit verify`)
 * must name the first event tampered with, and why.
 */

interface Head {
  seq: number;
  hash: string;
}

interface Busy {
  broker: TestBroker;
  checkpointFile: string;
  /** The last event once the activity settled, and signed in a checkpoint. */
  head: Head;
}

const scratch: string[] = [];
const brokers: TestBroker[] = [];

afterEach(async () => {
  for (const broker of brokers.splice(0)) await broker.close();
});

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

async function headOf(db: DataSource | EntityManager): Promise<Head> {
  const [row] = await db.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
  return { seq: Number(row.seq), hash: row.hash };
}

/** A broker after real activity (users, a partner, two items routed and delivered), its head signed. */
async function busyBroker(): Promise<Busy> {
  const dir = await mkdtemp(join(tmpdir(), 'tlpb-audit-'));
  scratch.push(dir);
  const checkpointFile = join(dir, 'checkpoints.asc');
  const broker = await startBroker({
    env: { AUDIT_CHECKPOINT_INTERVAL_MS: '100', AUDIT_CHECKPOINT_FILE: checkpointFile },
  });
  brokers.push(broker);
  await registerPartner(broker.url, broker.adminKey, { name: 'CERT-Audit', relation: 'peer', communities: ['eu-lea'] });
  for (const title of ['Phishing kit targeting webmail', 'Loader infrastructure']) {
    const item = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: {
        type: 'advisory',
        title,
        summary: 'summary',
        body: `Body of ${title}`,
        tlp: 'TLP:GREEN',
        audience: { communities: ['eu-lea'] },
      },
    });
    expect(item.status, JSON.stringify(item.body)).toBe(201);
    await eventually(async () => {
      const decisions = await http(broker.url, 'GET', `/items/${item.body.id}/decisions`, { key: broker.analystKey });
      return (
        decisions.body.routed &&
        decisions.body.decisions.some((d: { delivery: { state: string } | null }) => d.delivery?.state === 'delivered')
      );
    });
  }
  const head = await eventually(async () => {
    const current = await headOf(broker.db);
    const latest = await http(broker.url, 'GET', '/audit/checkpoints/latest', { key: broker.adminKey });
    return latest.status === 200 && latest.body.seq === current.seq && latest.body.hash === current.hash
      ? current
      : null;
  });
  return { broker, checkpointFile, head };
}

async function verifyRoute(broker: TestBroker) {
  const response = await http(broker.url, 'GET', '/audit/verify', { key: broker.adminKey });
  expect(response.status).toBe(200);
  return response.body;
}

/** What an operator runs: the application role's URL, and the passphrase the broker has (hence the audit key). */
const operatorEnv = (broker: TestBroker) => ({
  DATABASE_URL: broker.env.DATABASE_URL,
  TEAM_KEY_PASSPHRASE: broker.env.TEAM_KEY_PASSPHRASE,
});

/** The lowest event at or after `seq` that a checkpoint names. */
async function firstCheckpointFrom(broker: TestBroker, seq: number): Promise<number> {
  const [row] = await broker.db.query('SELECT min(seq) AS seq FROM audit_checkpoints WHERE seq >= $1', [seq]);
  expect(row.seq).not.toBeNull();
  return Number(row.seq);
}

/** The database administrator at work, with the append-only triggers switched off for the session. */
function asAdministrator(broker: TestBroker, work: (manager: EntityManager) => Promise<void>): Promise<void> {
  return broker.db.transaction(async (manager) => {
    await manager.query('SET LOCAL session_replication_role = replica');
    await work(manager);
  });
}

describe('the audit trail, intact', () => {
  it('verifies through GET /audit/verify and the built command line, and a checkpoint verifies with gpg --verify', async () => {
    const { broker, checkpointFile, head } = await busyBroker();
    const [{ count }] = await broker.db.query('SELECT count(*)::int AS count FROM audit_events');

    const report = await verifyRoute(broker);
    expect(report).toMatchObject({
      intact: true,
      events: count,
      legacyRows: 0,
      macsChecked: true,
      firstBroken: null,
      checkpointFile,
    });
    expect(report.checkpoints).toBeGreaterThanOrEqual(2);
    expect(report.lastCheckpoint).toMatchObject({ seq: head.seq, hash: head.hash });

    const readable = await runCli(['audit', 'verify'], operatorEnv(broker));
    expect(readable.code, readable.stderr).toBe(0);
    expect(readable.stdout).toMatch(/^audit trail intact\n/);
    expect(readable.stdout).toContain(`events: ${count} (the last: event ${head.seq})\n`);
    expect(readable.stdout).toContain('MACs: checked with the audit key (from TEAM_KEY_PASSPHRASE)');
    expect(readable.stdout).toContain(`last checkpoint: event ${head.seq} `);

    const json = await runCli(['audit', 'verify', '--json', '--checkpoints', checkpointFile], operatorEnv(broker));
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      intact: true,
      events: count,
      firstBroken: null,
      checkpointFile,
      lastCheckpoint: { seq: head.seq },
    });

    const latest = await http(broker.url, 'GET', '/audit/checkpoints/latest', { key: broker.adminKey });
    expect(latest.body.signed).toContain(`seq: ${head.seq}\nhash: ${head.hash}\nat: `);
    const teamKey = await http(broker.url, 'GET', '/team/key');
    const gpg = await GnuPG.create();
    try {
      await gpg.importKey(teamKey.body.publicKey);
      const file = join(gpg.home, 'checkpoint.asc');
      await writeFile(file, latest.body.signed);
      const { stderr } = await gpg.gpg(['--status-fd', '2', '--verify', file]);
      expect(stderr).toMatch(new RegExp(`\\[GNUPG:\\] VALIDSIG ${teamKey.body.fingerprint} `));
      expect(latest.body.signer).toBe(teamKey.body.fingerprint);
    } finally {
      await gpg.destroy();
    }

    const list = await http(broker.url, 'GET', '/audit/checkpoints?limit=1', { key: broker.adminKey });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([latest.body]);
  });

  it('is shown to administrators only', async () => {
    const { broker } = await busyBroker();
    for (const path of ['/audit/verify', '/audit/checkpoints', '/audit/checkpoints/latest']) {
      expect((await http(broker.url, 'GET', path, { key: broker.analystKey })).status, path).toBe(403);
      expect((await http(broker.url, 'GET', path, { key: broker.approverKey })).status, path).toBe(403);
      expect((await http(broker.url, 'GET', path)).status, path).toBe(401);
    }
    const bad = await http(broker.url, 'GET', '/audit/checkpoints?limit=0', { key: broker.adminKey });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'limit' })]);

    const openApi = await http(broker.url, 'GET', '/docs-json');
    for (const path of ['/audit/verify', '/audit/checkpoints', '/audit/checkpoints/latest']) {
      expect(openApi.body.paths[path]?.get?.tags, path).toEqual(['audit']);
    }
  });

  it('takes in events the command line appends with the audit key, and the command line appends none without it', async () => {
    const { broker } = await busyBroker();
    const added = await runCli(['user', 'add', '--name', 'night-shift', '--roles', 'analyst'], operatorEnv(broker));
    expect(added.code, added.stderr).toBe(0);
    const [event] = await broker.db.query(
      `SELECT seq, mac FROM audit_events WHERE action = 'user.created' ORDER BY seq DESC LIMIT 1`,
    );
    expect(event.mac).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifyRoute(broker)).toMatchObject({ intact: true, head: { seq: Number(event.seq) } });

    const refused = await runCli(['user', 'add', '--name', 'day-shift', '--roles', 'analyst'], {
      DATABASE_URL: broker.env.DATABASE_URL,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('AUDIT_KEY or TEAM_KEY_PASSPHRASE is required');
    expect((await broker.db.query(`SELECT count(*)::int AS n FROM users WHERE name = 'day-shift'`))[0].n).toBe(0);
  });
});

describe('the audit trail against a database administrator', () => {
  it('(a) names the checkpoint whose event is gone when the last events are deleted', async () => {
    const { broker, head } = await busyBroker();
    const firstLost = await firstCheckpointFrom(broker, head.seq - 2);
    await asAdministrator(broker, (manager) =>
      manager.query('DELETE FROM audit_events WHERE seq > $1', [head.seq - 3]),
    );

    const report = await verifyRoute(broker);
    expect(report.intact).toBe(false);
    expect(report.firstBroken).toMatchObject({ seq: firstLost, reason: 'truncated' });
    expect(report.firstBroken.detail).toContain(`the trail ends at event ${head.seq - 3}`);

    const result = await runCli(['audit', 'verify'], operatorEnv(broker));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^audit trail BROKEN at event ${firstLost} \\(truncated\\)`));
  });

  it('(a) still sees the deletion through the off-database checkpoints when the stored checkpoints are deleted too', async () => {
    const { broker, checkpointFile, head } = await busyBroker();
    const firstLost = await firstCheckpointFrom(broker, head.seq - 2);
    await asAdministrator(broker, async (manager) => {
      await manager.query('DELETE FROM audit_events WHERE seq > $1', [head.seq - 3]);
      await manager.query('DELETE FROM audit_checkpoints WHERE seq > $1', [head.seq - 3]);
    });

    const withFile = await runCli(['audit', 'verify', '--json', '--checkpoints', checkpointFile], operatorEnv(broker));
    expect(withFile.code).toBe(1);
    expect(JSON.parse(withFile.stdout).firstBroken).toMatchObject({ seq: firstLost, reason: 'truncated' });
    // The API process can read AUDIT_CHECKPOINT_FILE here, so the route checks it as well.
    expect((await verifyRoute(broker)).firstBroken).toMatchObject({ seq: firstLost, reason: 'truncated' });
  });

  it('(b) names the rewritten event when it and every later hash are recomputed', async () => {
    const { broker } = await busyBroker();
    const [target] = await broker.db.query(
      `SELECT seq FROM audit_events WHERE action = 'item.published' ORDER BY seq LIMIT 1`,
    );
    const seq = Number(target.seq);
    const firstVouching = await firstCheckpointFrom(broker, seq);
    await asAdministrator(broker, async (manager) => {
      const rows = await manager.query('SELECT * FROM audit_events WHERE seq >= $1 ORDER BY seq', [seq]);
      let [{ hash: prev }] = await manager.query(
        'SELECT hash FROM audit_events WHERE seq < $1 ORDER BY seq DESC LIMIT 1',
        [seq],
      );
      for (const row of rows) {
        const event = {
          at: row.at,
          actor: Number(row.seq) === seq ? 'someone else' : row.actor,
          action: row.action,
          subjectType: row.subject_type,
          subjectId: row.subject_id,
          details: row.details,
        };
        const hash = auditHash(prev, event);
        await manager.query('UPDATE audit_events SET actor = $2, prev_hash = $3, hash = $4 WHERE seq = $1', [
          row.seq,
          event.actor,
          prev,
          hash,
        ]);
        prev = hash;
      }
    });

    const report = await verifyRoute(broker);
    expect(report.intact).toBe(false);
    expect(report.firstBroken).toMatchObject({ seq, reason: 'mac' });

    // Without the audit key the MACs cannot be checked, but the checkpoint of the old head still shows it.
    const withoutKey = await runCli(['audit', 'verify', '--json'], { DATABASE_URL: broker.env.DATABASE_URL });
    expect(withoutKey.code).toBe(1);
    expect(JSON.parse(withoutKey.stdout)).toMatchObject({
      macsChecked: false,
      firstBroken: { seq: firstVouching, reason: 'checkpoint-hash' },
    });
  });

  it.each([
    ['without a MAC', null, 'mac-missing'],
    ['with a made-up MAC', randomBytes(32).toString('hex'), 'mac'],
  ])('(c) names a forged event appended with the trigger on, %s', async (_name, mac, reason) => {
    const { broker, head } = await busyBroker();
    const forged = {
      at: new Date(),
      actor: 'admin',
      action: 'user.created',
      subjectType: 'user',
      subjectId: randomUUID(),
      details: { name: 'mallory', roles: ['admin'] },
    };
    const [row] = await broker.db.query(
      `INSERT INTO audit_events (at, actor, action, subject_type, subject_id, details, prev_hash, hash, mac)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq`,
      [
        forged.at,
        forged.actor,
        forged.action,
        forged.subjectType,
        forged.subjectId,
        forged.details,
        head.hash,
        auditHash(head.hash, forged),
        mac,
      ],
    );

    const report = await verifyRoute(broker);
    expect(report.intact).toBe(false);
    expect(report.firstBroken).toMatchObject({ seq: Number(row.seq), reason });
  });
});

describe('checkpoints a database administrator makes or alters', () => {
  it('are named: one not signed by a team key, and one whose columns no longer say what it signed', async () => {
    const { broker, head } = await busyBroker();
    const stranger = await generateKeyPair({ name: 'Not the team', email: 'dba@example.org' });
    const forged = await signCheckpoint(head, await openpgp.readPrivateKey({ armoredKey: stranger.privateArmored }));
    await broker.db.query(
      `INSERT INTO audit_checkpoints (seq, hash, signed_at, key_fingerprint, signed) VALUES ($1, $2, $3, $4, $5)`,
      [head.seq, head.hash, forged.at, forged.signer, forged.signed],
    );
    expect((await verifyRoute(broker)).firstBroken).toMatchObject({ seq: head.seq, reason: 'checkpoint-signature' });

    const [first] = await broker.db.query('SELECT id, seq FROM audit_checkpoints ORDER BY seq LIMIT 1');
    await asAdministrator(broker, (manager) =>
      manager.query('UPDATE audit_checkpoints SET seq = seq + 1 WHERE id = $1', [first.id]),
    );
    expect((await verifyRoute(broker)).firstBroken).toMatchObject({
      seq: Number(first.seq),
      reason: 'checkpoint-altered',
    });
  });
});

describe('events written before they were authenticated', () => {
  const databases: string[] = [];
  afterAll(async () => {
    for (const name of databases) await dropDatabase(name);
  });

  it('are reported as legacy rows; a MAC-less event after authenticated ones is not', async () => {
    const name = uniqueName('tlpb_test');
    databases.push(name);
    const db = await createDataSource(await createDatabase(name, inject('templateDatabase'))).initialize();
    try {
      const audit = deriveAuditKey(undefined, 'legacy test passphrase');
      const writeUnauthenticated = async () => {
        const prev =
          (await db.query('SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1'))[0]?.hash ?? '0'.repeat(64);
        const event = {
          at: new Date(),
          actor: 'cli',
          action: 'user.created',
          subjectType: 'user',
          subjectId: randomUUID(),
          details: {},
        };
        const [row] = await db.query(
          `INSERT INTO audit_events (at, actor, action, subject_type, subject_id, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq`,
          [
            event.at,
            event.actor,
            event.action,
            event.subjectType,
            event.subjectId,
            event.details,
            prev,
            auditHash(prev, event),
          ],
        );
        return Number(row.seq);
      };
      for (let i = 0; i < 3; i++) await writeUnauthenticated();
      for (let i = 0; i < 3; i++) {
        await db.transaction((manager) =>
          new AuditLog(audit).append(manager, {
            actor: 'test',
            action: 'caveat.created',
            subjectType: 'caveat',
            subjectId: `c${i}`,
          }),
        );
      }
      // Small batches: the verifier reads the trail a few events at a time, whatever its length.
      const verify = async () =>
        verifyAuditTrail(db, { macKey: audit.key, checkSignature: await checkpointSignatureChecker([]), batchSize: 2 });
      expect(await verify()).toMatchObject({ intact: true, events: 6, legacyRows: 3, firstBroken: null });

      const forged = await writeUnauthenticated();
      expect(await verify()).toMatchObject({
        intact: false,
        events: 7,
        legacyRows: 3,
        firstBroken: { seq: forged, reason: 'mac-missing' },
      });
    } finally {
      await db.destroy();
    }
  });
});
