/** What the operations screen says about the queues and the audit trail. Pure: no DOM. */
import type { Schemas } from '../../api/client';

/** One queue's job counts, as GET /operations/queues answers them. */
export type QueueDepth = Schemas['QueueDepthView'];

export interface QueueTotals {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
  readonly paused: number;
}

/** The jobs of every queue together, for the one sentence announced when it changes. */
export function queueTotals(depths: readonly QueueDepth[]): QueueTotals {
  const sum = (pick: (depth: QueueDepth) => number) => depths.reduce((total, depth) => total + pick(depth), 0);
  return {
    waiting: sum((d) => d.waiting),
    active: sum((d) => d.active),
    delayed: sum((d) => d.delayed),
    failed: sum((d) => d.failed),
    paused: sum((d) => d.paused),
  };
}

export interface AuditVerificationResult {
  readonly intact: boolean;
  readonly events: number;
  readonly checkpoints: number;
  readonly legacyRows: number;
  readonly macsChecked: boolean;
  readonly head?: { readonly seq: number } | null;
  readonly lastCheckpoint?: { readonly seq: number; readonly at: string } | null;
  readonly firstBroken?: { readonly seq: number | null; readonly reason: string; readonly detail: string } | null;
}

/** The verdict in one line, and what it rests on: which message to show, with its values. */
export type AuditVerdict =
  | { readonly kind: 'intact'; readonly events: number; readonly checkpoints: number }
  | {
      readonly kind: 'broken';
      readonly seq: number | null;
      readonly reason: string;
      readonly detail: string;
      readonly events: number;
      readonly checkpoints: number;
    };

export function auditVerdict(result: AuditVerificationResult): AuditVerdict {
  const counts = { events: result.events, checkpoints: result.checkpoints };
  if (result.intact && !result.firstBroken) return { kind: 'intact', ...counts };
  const broken = result.firstBroken ?? { seq: null, reason: 'unknown', detail: '' };
  return { kind: 'broken', seq: broken.seq, reason: broken.reason, detail: broken.detail, ...counts };
}

/**
 * Events after the last signed checkpoint: vouched for by their MACs only until the next
 * checkpoint. Zero when every event is covered (or there are none).
 */
export function eventsSinceCheckpoint(result: AuditVerificationResult): number {
  const head = result.head?.seq ?? 0;
  const signed = result.lastCheckpoint?.seq ?? 0;
  return Math.max(0, head - signed);
}
