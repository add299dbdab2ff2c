import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** The chain head at one moment: what a checkpoint signs. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

export interface CheckpointContent extends AuditHead {
  readonly at: Date;
}

export interface StoredCheckpoint extends CheckpointContent {
  readonly id: number;
  /** Fingerprint of the team key that signed it. */
  readonly signer: string;
  /** The OpenPGP cleartext-signed document (`gpg --verify` reads it). */
  readonly signed: string;
}

const TITLE = 'tlp-broker audit checkpoint';

/**
 * The small text document a checkpoint signs. Plain lines so that a person reading it after
 * `gpg --verify` sees what the team key vouched for: the event at `seq` had `hash` at `at`.
 */
export function checkpointText(content: CheckpointContent): string {
  return [TITLE, `seq: ${content.seq}`, `hash: ${content.hash}`, `at: ${content.at.toISOString()}`, ''].join('\n');
}

/** The content of a checkpoint document, or null when it is not one. */
export function parseCheckpointText(text: string): CheckpointContent | null {
  const lines = text.replace(/\r\n/g, '\n').trim().split('\n');
  if (lines.length !== 4 || lines[0] !== TITLE) return null;
  const seq = /^seq: ([1-9][0-9]{0,15})$/.exec(lines[1]);
  const hash = /^hash: ([0-9a-f]{64})$/.exec(lines[2]);
  const at = /^at: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)$/.exec(lines[3]);
  if (!seq || !hash || !at || Number.isNaN(Date.parse(at[1]))) return null;
  return { seq: Number(seq[1]), hash: hash[1], at: new Date(at[1]) };
}

/** Held while a checkpoint is made, so that two dispatchers do not sign the same head twice. */
const CHECKPOINT_LOCK_KEY = 0x7470636b; // "tpck"

interface CheckpointRow {
  id: string;
  seq: string;
  hash: string;
  signed_at: Date;
  key_fingerprint: string;
  signed: string;
}

const COLUMNS = 'id, seq, hash, signed_at, key_fingerprint, signed';

function toCheckpoint(row: CheckpointRow): StoredCheckpoint {
  return {
    id: Number(row.id),
    seq: Number(row.seq),
    hash: row.hash,
    at: row.signed_at,
    signer: row.key_fingerprint,
    signed: row.signed,
  };
}

/** Stored checkpoints after the one with id `afterId`, oldest first: for reading them all in batches. */
export async function checkpointsAfter(
  manager: EntityManager,
  afterId: number,
  limit: number,
): Promise<StoredCheckpoint[]> {
  const rows = (await manager.query(`SELECT ${COLUMNS} FROM audit_checkpoints WHERE id > $1 ORDER BY id LIMIT $2`, [
    afterId,
    limit,
  ])) as CheckpointRow[];
  return rows.map(toCheckpoint);
}

/** Signed checkpoints of the audit trail's head, append-only like the trail. */
@Injectable()
export class AuditCheckpointRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `sign` on the chain head when it moved since the last checkpoint, and stores what it
   * returns; null when there was nothing new to sign.
   */
  async checkpointHead(
    sign: (head: AuditHead) => Promise<{ at: Date; signer: string; signed: string }>,
  ): Promise<StoredCheckpoint | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [CHECKPOINT_LOCK_KEY]);
      const head = await this.head(manager);
      if (!head) return null;
      const [last] = (await manager.query('SELECT max(seq) AS seq FROM audit_checkpoints')) as { seq: string | null }[];
      if (last.seq !== null && Number(last.seq) >= head.seq) return null;
      const { at, signer, signed } = await sign(head);
      const [row] = (await manager.query(
        `INSERT INTO audit_checkpoints (seq, hash, signed_at, key_fingerprint, signed) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [head.seq, head.hash, at, signer, signed],
      )) as CheckpointRow[];
      return toCheckpoint(row);
    });
  }

  /** The last event, as committed now. */
  async head(manager: EntityManager = this.dataSource.manager): Promise<AuditHead | null> {
    const [row] = (await manager.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')) as {
      seq: string;
      hash: string;
    }[];
    return row ? { seq: Number(row.seq), hash: row.hash } : null;
  }

  /** Newest first; `before` is the id of the last checkpoint of the previous page. */
  async list(limit: number, before?: number): Promise<StoredCheckpoint[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM audit_checkpoints WHERE ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $1`,
      [limit, before ?? null],
    )) as CheckpointRow[];
    return rows.map(toCheckpoint);
  }

  async latest(): Promise<StoredCheckpoint | null> {
    return (await this.list(1))[0] ?? null;
  }
}
