import { createHash, createHmac } from 'node:crypto';
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';

import type { AuditKey } from '@tlp-broker/config';
import { AuditEventEntity } from './entities';

export interface AuditEntry {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details?: Record<string, unknown>;
}

export const GENESIS = '0'.repeat(64);
/**
 * Serialises appends so that each event's prev_hash is the hash of the event before it, and so
 * that events commit in seq order: what is visible of the trail is always a prefix of it.
 */
const AUDIT_LOCK_KEY = 0x746c7062; // "tlpb"
const AUDIT_INSERT_CHUNK = 500;

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

export function auditHash(
  prevHash: string,
  event: Pick<AuditEventEntity, 'at' | 'actor' | 'action' | 'subjectType' | 'subjectId' | 'details'>,
): string {
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

/**
 * An event's MAC: HMAC-SHA256 of its hash with the audit key. Anyone can recompute a SHA-256
 * chain; only a holder of the key can make a MAC, and the key is never in PostgreSQL.
 */
export function auditMac(key: Uint8Array, hash: string): string {
  return createHmac('sha256', key).update(hash).digest('hex');
}

/**
 * Append-only, hash-chained audit trail, each event authenticated with the audit key
 * (`config.audit`). Always written inside the caller's transaction.
 */
export class AuditLog {
  constructor(private readonly auditKey: Pick<AuditKey, 'key'>) {}

  async append(manager: EntityManager, entry: AuditEntry, at: Date = new Date()): Promise<AuditEventEntity> {
    const [event] = await this.appendAll(manager, [entry], at);
    return event;
  }

  /**
   * Appends several events in order under one turn of the lock: one read of the chain's end and
   * one insert for all of them (a batch of deliveries finishing together), each event still its
   * own link of the chain.
   */
  async appendAll(
    manager: EntityManager,
    entries: readonly AuditEntry[],
    at: Date = new Date(),
  ): Promise<AuditEventEntity[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditLog.append must run inside a transaction');
    }
    if (entries.length === 0) return [];
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
    const repository = manager.getRepository(AuditEventEntity);
    const last = await repository.find({ order: { seq: 'DESC' }, take: 1, select: { hash: true, seq: true } });
    let prevHash = last[0]?.hash ?? GENESIS;
    const events = entries.map((entry) => {
      // Millisecond precision: what PostgreSQL keeps of a JS Date, so the hash can be checked later.
      const event = repository.create({
        at: new Date(at.getTime()),
        actor: entry.actor,
        action: entry.action,
        subjectType: entry.subjectType,
        subjectId: entry.subjectId,
        details: entry.details ?? {},
        prevHash,
      });
      event.hash = auditHash(prevHash, event);
      event.mac = auditMac(this.auditKey.key, event.hash);
      prevHash = event.hash;
      return event;
    });
    // One statement per chunk; rows take their seq in the order given, which is the chain's order.
    for (let i = 0; i < events.length; i += AUDIT_INSERT_CHUNK) {
      await repository.insert(events.slice(i, i + AUDIT_INSERT_CHUNK) as QueryDeepPartialEntity<AuditEventEntity>[]);
    }
    return events;
  }
}
