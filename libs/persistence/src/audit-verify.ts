import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { auditHash, auditMac, GENESIS } from './audit-log';
import { CheckpointContent, checkpointsAfter, parseCheckpointText } from './audit-checkpoints';

/**
 * Why the audit trail is not what the broker wrote:
 * - `prev-hash`: an event does not follow the one before it (events removed or inserted before it);
 * - `hash`: an event's content does not match its hash (altered in place);
 * - `mac`: an event's MAC is not the audit key's (rewritten with its hash recomputed, forged, or
 *   the audit key changed);
 * - `mac-missing`: an event without a MAC after authenticated ones (written without the audit key);
 * - `truncated`: a checkpoint names an event beyond the last one (events removed from the end);
 * - `checkpoint-row-missing`, `checkpoint-hash`: the event a checkpoint names is gone, or different;
 * - `checkpoint-signature`: a checkpoint not signed by a team key, or not a checkpoint;
 * - `checkpoint-altered`: a stored checkpoint's columns differ from what its signature covers;
 * - `checkpoint-deleted`: a checkpoint of the off-database file is missing from audit_checkpoints.
 */
export type AuditBreakReason =
  | 'prev-hash'
  | 'hash'
  | 'mac'
  | 'mac-missing'
  | 'truncated'
  | 'checkpoint-row-missing'
  | 'checkpoint-hash'
  | 'checkpoint-signature'
  | 'checkpoint-altered'
  | 'checkpoint-deleted';

export interface AuditBreak {
  /** The event at fault (for a checkpoint, the event it names); null for an unreadable checkpoint. */
  readonly seq: number | null;
  readonly reason: AuditBreakReason;
  /** A sentence a person can act on. */
  readonly detail: string;
}

export interface AuditVerification {
  readonly intact: boolean;
  /** Events in the trail. */
  readonly events: number;
  /** The last event: those after `lastCheckpoint` are not yet vouched for by a signature. */
  readonly head: { readonly seq: number; readonly hash: string } | null;
  /** Events written before events were authenticated: only the checkpoints vouch for them. */
  readonly legacyRows: number;
  /** Whether MACs were checked (false when the audit key was not given). */
  readonly macsChecked: boolean;
  /** Checkpoints checked: those in audit_checkpoints, then those of `checkpointFile`. */
  readonly checkpoints: number;
  readonly lastCheckpoint: {
    readonly seq: number;
    readonly hash: string;
    readonly at: string;
    readonly signer: string;
  } | null;
  readonly checkpointFile: string | null;
  /** The break with the lowest seq, or null when intact. */
  readonly firstBroken: AuditBreak | null;
}

export type CheckpointSignatureCheck = (
  signed: string,
) => Promise<{ ok: true; text: string; signer: string } | { ok: false; detail: string }>;

export interface AuditVerifyOptions {
  /** The audit key (`config.audit.key`); null checks everything but the MACs. */
  readonly macKey: Uint8Array | null;
  /** Verifies a checkpoint's signature by one of the team's keys (libs/crypto checkpointSignatureChecker). */
  readonly checkSignature: CheckpointSignatureCheck;
  /** Checkpoints kept outside PostgreSQL (AUDIT_CHECKPOINT_FILE or a copy of it). */
  readonly checkpointFile?: string;
  readonly batchSize?: number;
}

interface EventRow {
  seq: string;
  at: Date;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  mac: string | null;
}

interface CheckpointCandidate {
  readonly signed: string;
  /** The columns of a stored checkpoint; absent for one read from the file. */
  readonly stored?: { readonly seq: number; readonly hash: string; readonly at: Date; readonly signer: string };
}

/**
 * Verifies the audit trail as one consistent snapshot, reading events and checkpoints in batches
 * (bounded memory on any number of events): each event's link to the one before, its hash and
 * its MAC; each checkpoint's signature, and that the event it names is there with that hash.
 */
export async function verifyAuditTrail(
  dataSource: DataSource,
  options: AuditVerifyOptions,
): Promise<AuditVerification> {
  // Measured before the snapshot is taken: every checkpoint in the file up to here names an event
  // committed before it, so the snapshot holds it.
  const fileSize = options.checkpointFile ? await checkpointFileSize(options.checkpointFile) : 0;
  return dataSource.transaction('REPEATABLE READ', async (manager) => {
    await manager.query('SET TRANSACTION READ ONLY');
    const batchSize = options.batchSize ?? 1_000;
    const state = new Findings();
    const chain = await verifyChain(manager, options.macKey, batchSize, state);
    const checkpoints = new CheckpointChecks(manager, options.checkSignature, chain.lastSeq, state);
    for await (const batch of storedCheckpoints(manager, batchSize)) await checkpoints.check(batch, null);
    if (options.checkpointFile) {
      for await (const batch of fileCheckpoints(options.checkpointFile, fileSize, batchSize))
        await checkpoints.check(batch, options.checkpointFile);
    }
    const last = checkpoints.last;
    return {
      intact: state.first === null,
      events: chain.events,
      head: chain.lastSeq === 0 ? null : { seq: chain.lastSeq, hash: chain.lastHash },
      legacyRows: chain.legacyRows,
      macsChecked: options.macKey !== null,
      checkpoints: checkpoints.count,
      lastCheckpoint: last
        ? { seq: last.content.seq, hash: last.content.hash, at: last.content.at.toISOString(), signer: last.signer }
        : null,
      checkpointFile: options.checkpointFile ?? null,
      firstBroken: state.first,
    };
  });
}

class Findings {
  first: AuditBreak | null = null;

  /** Keeps the break with the lowest seq; the first found wins a tie. */
  add(found: AuditBreak): void {
    const rank = (b: AuditBreak) => b.seq ?? Number.POSITIVE_INFINITY;
    if (this.first === null || rank(found) < rank(this.first)) this.first = found;
  }
}

async function verifyChain(
  manager: EntityManager,
  macKey: Uint8Array | null,
  batchSize: number,
  findings: Findings,
): Promise<{ events: number; legacyRows: number; lastSeq: number; lastHash: string }> {
  let prev = GENESIS;
  let prevSeq: number | null = null;
  let events = 0;
  let legacyRows = 0;
  let authenticatedSince: number | null = null;
  let broken = false;
  for (;;) {
    const rows = (await manager.query(
      `SELECT seq, at, actor, action, subject_type, subject_id, details, prev_hash, hash, mac
         FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [prevSeq ?? 0, batchSize],
    )) as EventRow[];
    for (const row of rows) {
      const seq = Number(row.seq);
      events += 1;
      if (row.mac === null && authenticatedSince === null) legacyRows += 1;
      const problem = broken ? null : eventProblem(row, seq, prev, prevSeq, macKey, authenticatedSince);
      if (problem) {
        findings.add(problem);
        // Later events are still counted; the first break is what the report names.
        broken = true;
      }
      if (row.mac !== null) authenticatedSince ??= seq;
      prev = row.hash;
      prevSeq = seq;
    }
    if (rows.length < batchSize) break;
  }
  return { events, legacyRows, lastSeq: prevSeq ?? 0, lastHash: prev };
}

function eventProblem(
  row: EventRow,
  seq: number,
  prev: string,
  prevSeq: number | null,
  macKey: Uint8Array | null,
  authenticatedSince: number | null,
): AuditBreak | null {
  if (row.prev_hash !== prev) {
    const before = prevSeq === null ? 'the start of the trail' : `event ${prevSeq}`;
    return {
      seq,
      reason: 'prev-hash',
      detail: `event ${seq} does not follow ${before}: its prev_hash is not that event's hash (events were removed or inserted before it)`,
    };
  }
  const event = {
    at: row.at,
    actor: row.actor,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    details: row.details,
  };
  if (auditHash(prev, event) !== row.hash) {
    return { seq, reason: 'hash', detail: `event ${seq} (${row.action}) does not match its hash: it was altered` };
  }
  if (row.mac === null) {
    if (authenticatedSince === null) return null;
    return {
      seq,
      reason: 'mac-missing',
      detail: `event ${seq} (${row.action}) has no MAC although the events from ${authenticatedSince} on have one: it was written without the audit key (forged)`,
    };
  }
  if (macKey && auditMac(macKey, row.hash) !== row.mac) {
    return {
      seq,
      reason: 'mac',
      detail: `event ${seq} (${row.action}) is not authenticated by the audit key: it was rewritten with its hash recomputed, or forged (or AUDIT_KEY / TEAM_KEY_PASSPHRASE changed)`,
    };
  }
  return null;
}

class CheckpointChecks {
  count = 0;
  last: { content: CheckpointContent; signer: string } | null = null;

  constructor(
    private readonly manager: EntityManager,
    private readonly checkSignature: CheckpointSignatureCheck,
    private readonly lastSeq: number,
    private readonly findings: Findings,
  ) {}

  /** `file` names where the batch was read when it does not come from audit_checkpoints. */
  async check(batch: CheckpointCandidate[], file: string | null): Promise<void> {
    const signed: { content: CheckpointContent; signer: string }[] = [];
    for (const candidate of batch) {
      this.count += 1;
      const content = await this.readSigned(candidate, file);
      if (content) signed.push(content);
    }
    const seqs = signed.map(({ content }) => content.seq);
    const events = await this.rows(`SELECT seq, hash FROM audit_events WHERE seq = ANY($1::bigint[])`, seqs);
    const stored = file
      ? await this.rows(`SELECT seq, hash, signed_at FROM audit_checkpoints WHERE seq = ANY($1::bigint[])`, seqs)
      : [];
    for (const { content, signer } of signed) {
      const named = `the checkpoint signed at ${content.at.toISOString()}${file ? ` (in ${file})` : ''} names event ${content.seq}`;
      const event = events.find((row) => Number(row.seq) === content.seq);
      if (content.seq > this.lastSeq) {
        const end = this.lastSeq === 0 ? 'the trail is empty' : `the trail ends at event ${this.lastSeq}`;
        this.findings.add({
          seq: content.seq,
          reason: 'truncated',
          detail: `${named}, but ${end}: events were removed from the end`,
        });
      } else if (!event) {
        this.findings.add({
          seq: content.seq,
          reason: 'checkpoint-row-missing',
          detail: `${named}, which is missing: events were removed`,
        });
      } else if (event.hash !== content.hash) {
        this.findings.add({
          seq: content.seq,
          reason: 'checkpoint-hash',
          detail: `${named} with a hash it no longer has: events up to it were rewritten`,
        });
      } else if (
        file &&
        !stored.some(
          (row) =>
            Number(row.seq) === content.seq &&
            row.hash === content.hash &&
            row.signed_at?.getTime() === content.at.getTime(),
        )
      ) {
        this.findings.add({
          seq: content.seq,
          reason: 'checkpoint-deleted',
          detail: `${named}, and is missing from audit_checkpoints: checkpoints were deleted from the database`,
        });
      } else if (
        !this.last ||
        content.seq > this.last.content.seq ||
        (content.seq === this.last.content.seq && content.at > this.last.content.at)
      ) {
        this.last = { content, signer };
      }
    }
  }

  private async readSigned(
    candidate: CheckpointCandidate,
    file: string | null,
  ): Promise<{ content: CheckpointContent; signer: string } | null> {
    const where = file ? `a checkpoint in ${file}` : `the checkpoint of event ${candidate.stored?.seq}`;
    const seq = candidate.stored?.seq ?? null;
    const signature = await this.checkSignature(candidate.signed);
    if (!signature.ok) {
      this.findings.add({
        seq,
        reason: 'checkpoint-signature',
        detail: `${where} is not signed by a team key: ${signature.detail}`,
      });
      return null;
    }
    const content = parseCheckpointText(signature.text);
    if (!content) {
      this.findings.add({
        seq,
        reason: 'checkpoint-signature',
        detail: `${where} is signed by ${signature.signer} but is not a checkpoint document`,
      });
      return null;
    }
    const stored = candidate.stored;
    if (
      stored &&
      (stored.seq !== content.seq ||
        stored.hash !== content.hash ||
        stored.at.getTime() !== content.at.getTime() ||
        stored.signer !== signature.signer)
    ) {
      this.findings.add({
        seq: Math.min(stored.seq, content.seq),
        reason: 'checkpoint-altered',
        detail: `the stored checkpoint of event ${stored.seq} differs from what its signature covers (event ${content.seq}, signed by ${signature.signer}): it was altered`,
      });
      return null;
    }
    return { content, signer: signature.signer };
  }

  private async rows(sql: string, seqs: number[]): Promise<{ seq: string; hash: string; signed_at?: Date }[]> {
    return seqs.length === 0
      ? []
      : ((await this.manager.query(sql, [seqs])) as { seq: string; hash: string; signed_at?: Date }[]);
  }
}

async function* storedCheckpoints(manager: EntityManager, batchSize: number): AsyncGenerator<CheckpointCandidate[]> {
  let after = 0;
  for (;;) {
    const rows = await checkpointsAfter(manager, after, batchSize);
    if (rows.length > 0) {
      yield rows.map((row) => ({
        signed: row.signed,
        stored: { seq: row.seq, hash: row.hash, at: row.at, signer: row.signer },
      }));
      after = rows[rows.length - 1].id;
    }
    if (rows.length < batchSize) return;
  }
}

export class CheckpointFileError extends Error {}

async function checkpointFileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    throw new CheckpointFileError(`the checkpoint file ${file} cannot be read: ${(error as Error).message}`);
  }
}

const BEGIN = '-----BEGIN PGP SIGNED MESSAGE-----';
const END = '-----END PGP SIGNATURE-----';
const MAX_ENTRY = 64 * 1024;

/**
 * The cleartext-signed checkpoints of a file written by appending, in the order written, up to
 * `size` bytes; an entry cut short at that point (being written) is left for the next run.
 */
async function* fileCheckpoints(file: string, size: number, batchSize: number): AsyncGenerator<CheckpointCandidate[]> {
  if (size === 0) return;
  let pending = '';
  let batch: CheckpointCandidate[] = [];
  for await (const chunk of createReadStream(file, { encoding: 'utf8', start: 0, end: size - 1 })) {
    pending += chunk as string;
    for (;;) {
      const start = pending.indexOf(BEGIN);
      if (start < 0) {
        // Nothing of a checkpoint yet: keep only what could be the start of the marker.
        pending = pending.slice(-BEGIN.length);
        break;
      }
      const end = pending.indexOf(END, start);
      if (end < 0 && pending.length - start > MAX_ENTRY) {
        // Not a checkpoint (they are about a kilobyte): reported as unreadable, and memory stays bounded.
        batch.push({ signed: pending.slice(start, start + 256) });
        pending = pending.slice(start + BEGIN.length);
        continue;
      }
      if (end < 0) {
        pending = pending.slice(start);
        break;
      }
      batch.push({ signed: `${pending.slice(start, end + END.length)}\n` });
      pending = pending.slice(end + END.length);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

/** The audit trail's verification as the API runs it, on the broker's own connection. */
@Injectable()
export class AuditTrailVerifier {
  constructor(private readonly dataSource: DataSource) {}

  verify(options: AuditVerifyOptions): Promise<AuditVerification> {
    return verifyAuditTrail(this.dataSource, options);
  }
}
