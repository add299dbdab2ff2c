import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** An audit event as the team reads it: the acting user named, the rest as stored. */
export interface AuditEventRecord {
  readonly seq: number;
  readonly at: Date;
  /** As stored: `user:<id>` for a team member, otherwise the process or credential that acted (`dispatcher`…). */
  readonly actor: string;
  /** The user's name when `actor` is a user that exists, otherwise null. */
  readonly actorName: string | null;
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId: string;
  readonly details: Record<string, unknown>;
}

export interface AuditPage {
  /** Events after this seq (the last of the previous page); from the first when absent. */
  readonly after?: number;
  readonly limit: number;
}

/**
 * The events about item $1, oldest first, after seq $2, at most $3: those whose subject is the item,
 * those whose subject is one of its deliveries or recall notices (each version's), and any other
 * that names the item in its details (`itemId`). Each part is read through its own index, and
 * only the page's events are read in full.
 */
const ITEM_EVENTS = `
  WITH about AS (
    SELECT seq FROM audit_events
     WHERE subject_type = 'item' AND subject_id = $1::text AND seq > $2
    UNION
    SELECT a.seq FROM item_versions v
      JOIN deliveries d ON d.item_version_id = v.id
      JOIN audit_events a ON a.subject_type = 'delivery' AND a.subject_id = d.id::text AND a.seq > $2
     WHERE v.item_id = $1::uuid
    UNION
    SELECT seq FROM audit_events
     WHERE details ? 'itemId' AND details->>'itemId' = $1::text AND seq > $2
    ORDER BY seq
    LIMIT $3
  )
  SELECT e.seq, e.at, e.actor, u.name AS actor_name, e.action, e.subject_type, e.subject_id, e.details
    FROM about
    JOIN audit_events e ON e.seq = about.seq
    LEFT JOIN users u ON e.actor LIKE 'user:%' AND u.id::text = substr(e.actor, 6)
   ORDER BY e.seq`;

/** The events about subject $1/$2, oldest first, after seq $3, at most $4 (through the subject index). */
const SUBJECT_EVENTS = `
  SELECT e.seq, e.at, e.actor, u.name AS actor_name, e.action, e.subject_type, e.subject_id, e.details
    FROM audit_events e
    LEFT JOIN users u ON e.actor LIKE 'user:%' AND u.id::text = substr(e.actor, 6)
   WHERE e.subject_type = $1 AND e.subject_id = $2 AND e.seq > $3
   ORDER BY e.seq
   LIMIT $4`;

interface AuditEventRow {
  seq: string;
  at: Date;
  actor: string;
  actor_name: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  details: Record<string, unknown>;
}

/**
 * Reads of the audit trail (audit_events) for the team; it is written by AuditLog only, and
 * verified by AuditTrailVerifier.
 */
@Injectable()
export class AuditEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  protected db(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  /** One page of the events about one subject (a submission, a user…), oldest first. */
  async aboutSubject(
    subjectType: string,
    subjectId: string,
    page: AuditPage,
    tx?: EntityManager,
  ): Promise<AuditEventRecord[]> {
    const rows: AuditEventRow[] = await this.db(tx).query(SUBJECT_EVENTS, [
      subjectType,
      subjectId,
      page.after ?? 0,
      page.limit,
    ]);
    return rows.map(auditEventRecord);
  }

  /** One page of the events about an item, its versions, deliveries and recalls, oldest first. */
  async aboutItem(itemId: string, page: AuditPage, tx?: EntityManager): Promise<AuditEventRecord[]> {
    const rows: AuditEventRow[] = await this.db(tx).query(ITEM_EVENTS, [itemId, page.after ?? 0, page.limit]);
    return rows.map(auditEventRecord);
  }
}

function auditEventRecord(row: AuditEventRow): AuditEventRecord {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    actorName: row.actor_name,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    details: row.details,
  };
}
