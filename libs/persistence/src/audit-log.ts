import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditEventEntity } from './entities';

export interface AuditEntry {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details?: Record<string, unknown>;
}

const GENESIS = '0'.repeat(64);
/** Serialises appends so that each event's prev_hash is the hash of the event before it. */
const AUDIT_LOCK_KEY = 0x746c7062; // "tlpb"

/** Stable JSON: keys sorted at every depth, so the hash does not depend on insertion order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function auditHash(prevHash: string, event: Pick<AuditEventEntity, 'at' | 'actor' | 'action' | 'subjectType' | 'subjectId' | 'details'>): string {
  const body = canonicalJson({
    at: event.at.toISOString(),
    actor: event.actor,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    details: event.details,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/** Append-only, hash-chained audit trail. Always written inside the caller's transaction. */
@Injectable()
export class AuditLog {
  async append(manager: EntityManager, entry: AuditEntry, at: Date = new Date()): Promise<AuditEventEntity> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditLog.append must run inside a transaction');
    }
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
    const last = await manager.getRepository(AuditEventEntity).find({ order: { seq: 'DESC' }, take: 1, select: { hash: true, seq: true } });
    const prevHash = last[0]?.hash ?? GENESIS;
    // Millisecond precision: what PostgreSQL keeps of a JS Date, so the hash can be checked later.
    const event = manager.getRepository(AuditEventEntity).create({
      at: new Date(at.getTime()),
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      details: entry.details ?? {},
      prevHash,
    });
    event.hash = auditHash(prevHash, event);
    return manager.getRepository(AuditEventEntity).save(event);
  }

  /** Re-computes the chain; returns the seq of the first broken link, or null when intact. */
  async verify(manager: EntityManager): Promise<string | null> {
    const events = await manager.getRepository(AuditEventEntity).find({ order: { seq: 'ASC' } });
    let prev = GENESIS;
    for (const event of events) {
      if (event.prevHash !== prev || auditHash(prev, event) !== event.hash) return event.seq;
      prev = event.hash;
    }
    return null;
  }
}
