import { Injectable } from '@nestjs/common';
import type { FeedClaim, TaxiiFeedCursor } from '@tlp-broker/persistence';
import { PartnerFeedRepository } from '@tlp-broker/persistence';
import { FeedError, FeedHttp } from './feed-http';
import { FeedIntake } from './feed-intake.service';
import { isRecord, stixGroups } from './feed-readings';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';

/** Objects asked for per page, and pages read per poll at most (the rest waits for the next poll). */
export const TAXII_PAGE_LIMIT = 100;
export const TAXII_MAX_PAGES = 50;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Whether a poll should stop before its next request: the dispatcher is stopping, or its lease runs out. */
export interface PollControl {
  stopping(): boolean;
}

/** What one poll came to: how many submissions it stored, and what went wrong short of failing it. */
export interface PollOutcome {
  readonly taken: number;
  readonly problem: string | null;
}

interface Envelope {
  readonly objects: unknown[];
  readonly more: boolean;
  readonly next: string | null;
}

/**
 * Polls a partner's TAXII 2.1 collection: the objects added after the cursor (every version),
 * page after page (`next`), each report with the objects it gathers, or object alone, taken as a
 * submission. The cursor moves to a page's `X-TAXII-Date-Added-Last` only once all its objects are
 * recorded: a poll stopped half-way loses nothing, and what it took again is recognised.
 */
@Injectable()
export class TaxiiFeedPoll {
  constructor(
    private readonly http: FeedHttp,
    private readonly intake: FeedIntake,
    private readonly feeds: PartnerFeedRepository,
  ) {}

  async poll(claim: FeedClaim, control: PollControl): Promise<PollOutcome> {
    const { feed } = claim;
    let cursor = (feed.cursor as TaxiiFeedCursor).addedAfter;
    let addedAfter = cursor;
    let next: string | null = null;
    let taken = 0;
    for (let page = 0; page < TAXII_MAX_PAGES && !control.stopping(); page++) {
      const answer = await this.http.getJson({
        url: objectsUrl(feed.url, addedAfter, next),
        accept: TAXII_MEDIA_TYPE,
        authorization: feed.authorizationHeader,
      });
      const envelope = readEnvelope(answer.body, new URL(feed.url).host);
      for (const group of stixGroups(envelope.objects)) if (await this.intake.takeStix(feed, group)) taken++;
      const last = dateAddedLast(answer.headers['x-taxii-date-added-last']);
      if (last !== null && last !== cursor) {
        cursor = last;
        if (!(await this.feeds.saveCursor(claim, { addedAfter: last } satisfies TaxiiFeedCursor)))
          return { taken, problem: 'the feed was changed or taken over during the poll; stopped' };
      }
      if (!envelope.more) return { taken, problem: null };
      // A server that pages without `next` is asked again from the last date_added it served.
      if (envelope.next !== null) next = envelope.next;
      else if (last !== null) [addedAfter, next] = [last, null];
      else throw new FeedError(`${new URL(feed.url).host} said there is more, without saying where it follows`);
    }
    return { taken, problem: null };
  }
}

/** `<collection>/objects/?added_after=…&limit=…&match[version]=all[&next=…]`. */
export function objectsUrl(collection: string, addedAfter: string | undefined, next: string | null): string {
  const url = new URL('objects/', collection);
  if (addedAfter !== undefined) url.searchParams.set('added_after', addedAfter);
  url.searchParams.set('limit', String(TAXII_PAGE_LIMIT));
  url.searchParams.set('match[version]', 'all');
  if (next !== null) url.searchParams.set('next', next);
  return url.toString();
}

function readEnvelope(body: unknown, host: string): Envelope {
  if (!isRecord(body) || (body.objects !== undefined && !Array.isArray(body.objects)))
    throw new FeedError(`${host} answered something that is not a TAXII envelope`);
  return {
    objects: (body.objects as unknown[] | undefined) ?? [],
    more: body.more === true,
    next: typeof body.next === 'string' && body.next !== '' ? body.next : null,
  };
}

function dateAddedLast(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && TIMESTAMP.test(value.trim()) ? value.trim() : null;
}
