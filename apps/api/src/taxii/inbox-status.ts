import type { TaxiiInboxStatusEntity } from '@tlp-broker/persistence';
import type { StatusDetail } from './inbox-envelope';

/** A TAXII 2.1 status resource: how the objects of one post to an inbox fared. */
export interface TaxiiStatusResource {
  id: string;
  status: 'pending' | 'complete';
  request_timestamp: string;
  total_count: number;
  success_count: number;
  successes: StatusDetail[];
  failure_count: number;
  failures: StatusDetail[];
  pending_count: number;
}

export function statusResource(row: TaxiiInboxStatusEntity): TaxiiStatusResource {
  return {
    id: row.id,
    status: row.status,
    request_timestamp: row.requestTimestamp.toISOString(),
    total_count: row.totalCount,
    success_count: row.successCount,
    successes: row.successes.map(detail),
    failure_count: row.failureCount,
    failures: row.failures.map(detail),
    pending_count: row.pendingCount,
  };
}

function detail(entry: { id: string; version?: string; message?: string }): StatusDetail {
  return {
    id: entry.id,
    version: entry.version ?? '',
    ...(entry.message ? { message: entry.message } : {}),
  };
}
