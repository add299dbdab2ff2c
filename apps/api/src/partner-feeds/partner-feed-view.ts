import type { PartnerFeedKind, PartnerStatus } from '@tlp-broker/domain';
import type { FeedIntakeCount, MispFeedCursor, PartnerFeedEntity, TaxiiFeedCursor } from '@tlp-broker/persistence';

/** Where polling stands: for TAXII the date_added asked after, for MISP the events taken. */
export interface PartnerFeedCursorView {
  /** TAXII: the next poll asks for objects added after this (null: from the start of the collection). */
  addedAfter?: string | null;
  /** MISP: how many events were taken (in one version or more). */
  eventsSeen?: number;
  /** MISP: the newest timestamp among the event versions taken. */
  latestEventAt?: Date | null;
}

/** A partner's own feed, as administrators see it; its Authorization header is never shown. */
export interface PartnerFeedView {
  id: string;
  organisationId: string;
  organisation: string;
  kind: PartnerFeedKind;
  name: string;
  url: string;
  /** An Authorization header is sent with every request (its value is never shown back). */
  hasAuthorization: boolean;
  intervalSeconds: number;
  /** suspended: not polled until reinstated. */
  status: PartnerStatus;
  lastPolledAt: Date | null;
  /** When it is next due (a poll of a suspended feed, or of a suspended partner's, waits for its reinstatement). */
  nextPollAt: Date;
  /** A dispatcher is polling it now. */
  polling: boolean;
  /** Why the last poll failed, or stopped short; null when it went through. */
  lastError: string | null;
  cursor: PartnerFeedCursorView;
  /** Submissions it brought in; refused ones (undecryptable, a signature that does not verify) counted apart. */
  submissions: { taken: number; rejected: number };
  createdAt: Date;
}

export function partnerFeedView(
  feed: PartnerFeedEntity,
  organisation: string,
  count: FeedIntakeCount | undefined,
  now: Date,
): PartnerFeedView {
  return {
    id: feed.id,
    organisationId: feed.organisationId,
    organisation,
    kind: feed.kind,
    name: feed.name,
    url: feed.url,
    hasAuthorization: feed.authorizationHeader !== null,
    intervalSeconds: feed.intervalSeconds,
    status: feed.status,
    lastPolledAt: feed.lastPolledAt,
    nextPollAt: feed.nextPollAt,
    polling: feed.claimedUntil !== null && feed.claimedUntil > now,
    lastError: feed.lastError,
    cursor: cursorView(feed),
    submissions: { taken: count?.taken ?? 0, rejected: count?.rejected ?? 0 },
    createdAt: feed.createdAt,
  };
}

function cursorView(feed: PartnerFeedEntity): PartnerFeedCursorView {
  if (feed.kind === 'taxii') {
    const { addedAfter } = feed.cursor as TaxiiFeedCursor;
    return { addedAfter: typeof addedAfter === 'string' ? addedAfter : null };
  }
  const timestamps = Object.values((feed.cursor as MispFeedCursor).events ?? {}).filter(Number.isFinite);
  return {
    eventsSeen: timestamps.length,
    latestEventAt: timestamps.length > 0 ? new Date(Math.max(...timestamps) * 1000) : null,
  };
}
