import { Injectable, Logger } from '@nestjs/common';
import type { FeedClaim, MispFeedCursor, PartnerFeedEntity } from '@tlp-broker/persistence';
import { PartnerFeedRepository } from '@tlp-broker/persistence';
import { FeedError, FeedHttp } from './feed-http';
import { FeedIntake } from './feed-intake.service';
import { isRecord, Json } from './feed-readings';
import { PollControl, PollOutcome } from './taxii-feed-poll';

/** Event versions read per poll at most (the rest waits for the next poll). */
export const MISP_MAX_EVENTS = 500;

/** Failures in a row after which the feed is taken to be down for this poll. */
const MAX_FAILURES_IN_A_ROW = 3;

const EVENT_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface DueEvent {
  readonly uuid: string;
  readonly timestamp: number;
}

/**
 * Polls a partner's MISP feed: manifest.json, then each event whose timestamp is newer than the
 * one taken last (oldest first), each version taken as a submission and the event's cursor moved
 * once it is recorded. An event that cannot be read is tried again at the next poll; the others
 * go on.
 */
@Injectable()
export class MispFeedPoll {
  private readonly logger = new Logger(MispFeedPoll.name);

  constructor(
    private readonly http: FeedHttp,
    private readonly intake: FeedIntake,
    private readonly feeds: PartnerFeedRepository,
  ) {}

  async poll(claim: FeedClaim, control: PollControl): Promise<PollOutcome> {
    const { feed } = claim;
    const manifest = await this.get(feed, 'manifest.json');
    if (!isRecord(manifest)) throw new FeedError(`${host(feed)}: manifest.json is not a MISP feed manifest`);
    const due = dueEvents(manifest, (feed.cursor as MispFeedCursor).events ?? {});
    let taken = 0;
    const failures: string[] = [];
    let inARow = 0;
    for (const event of due) {
      if (control.stopping() || inARow >= MAX_FAILURES_IN_A_ROW) break;
      try {
        const taking = await this.take(claim, event);
        if (taking === 'lost') return { taken, problem: 'the feed was changed or taken over during the poll; stopped' };
        if (taking === 'taken') taken++;
        inARow = 0;
      } catch (error) {
        if (!(error instanceof FeedError)) throw error;
        this.logger.warn(`partner feed ${feed.id}: event ${event.uuid}: ${error.message}`);
        failures.push(error.message);
        inARow++;
      }
    }
    return { taken, problem: failures.length === 0 ? null : problem(failures) };
  }

  private async take(claim: FeedClaim, event: DueEvent): Promise<'taken' | 'repeated' | 'lost'> {
    const body = await this.get(claim.feed, `${event.uuid.toLowerCase()}.json`);
    if (!isRecord(body) || !isRecord(body.Event))
      throw new FeedError(`${host(claim.feed)}: ${event.uuid}.json is not a MISP event`);
    const timestamp = timestampOf(body.Event.timestamp) ?? event.timestamp;
    const stored = await this.intake.takeMisp(claim.feed, event.uuid.toLowerCase(), timestamp, {
      Event: body.Event as Json,
    });
    if (!(await this.feeds.saveEventCursor(claim, event.uuid.toLowerCase(), Math.max(timestamp, event.timestamp))))
      return 'lost';
    return stored ? 'taken' : 'repeated';
  }

  private async get(feed: PartnerFeedEntity, file: string): Promise<unknown> {
    const answer = await this.http.getJson({
      url: new URL(file, feed.url).toString(),
      accept: 'application/json',
      authorization: feed.authorizationHeader,
    });
    return answer.body;
  }
}

/** The manifest's events newer than the cursor, oldest first, at most MISP_MAX_EVENTS. */
export function dueEvents(manifest: Json, seen: Readonly<Record<string, number>>): DueEvent[] {
  return Object.entries(manifest)
    .flatMap(([uuid, entry]) => {
      const timestamp = isRecord(entry) ? timestampOf(entry.timestamp) : null;
      if (!EVENT_UUID.test(uuid) || timestamp === null) return [];
      const before = seen[uuid.toLowerCase()];
      return typeof before === 'number' && before >= timestamp ? [] : [{ uuid, timestamp }];
    })
    .sort((a, b) => a.timestamp - b.timestamp || a.uuid.localeCompare(b.uuid))
    .slice(0, MISP_MAX_EVENTS);
}

/** MISP writes timestamps as strings of seconds since the epoch. */
function timestampOf(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : value;
  return typeof text === 'string' && /^\d{1,12}$/.test(text) ? Number(text) : null;
}

function host(feed: PartnerFeedEntity): string {
  return new URL(feed.url).host;
}

function problem(failures: readonly string[]): string {
  const rest = failures.length > 1 ? ` (and ${failures.length - 1} more event(s) not read)` : '';
  return `${failures[0]}${rest}`;
}
