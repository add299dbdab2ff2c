import { describe, expect, it } from 'vitest';
import { partnerFeedsMessages } from './messages';
import {
  emptyFeedForm,
  feedRequest,
  intervalParts,
  lastOutcome,
  nextPoll,
  placeFeedProblems,
  readInterval,
} from './feed-form';

const NOW = Date.parse('2026-12-01T09:00:00Z');

describe('the add form', () => {
  it('becomes the request as typed, trimmed, without an Authorization header left blank', () => {
    const form = {
      ...emptyFeedForm(),
      organisationId: 'org-1',
      kind: 'misp',
      name: ' EC3 events ',
      url: ' https://misp.partner.example/feed/ ',
      authorization: '  ',
      interval: ' 600 ',
    };
    expect(feedRequest(form)).toEqual({
      organisationId: 'org-1',
      kind: 'misp',
      name: 'EC3 events',
      url: 'https://misp.partner.example/feed/',
      intervalSeconds: 600,
    });
    expect(feedRequest({ ...form, authorization: 'Bearer tlpb_x ' })).toMatchObject({ authorization: 'Bearer tlpb_x' });
  });

  it('starts every 5 minutes, and is not sent with an interval that is not a whole number of seconds', () => {
    expect(readInterval(emptyFeedForm().interval)).toBe(300);
    for (const typed of ['', '5 min', '1.5', '-10', '1e3']) {
      expect(readInterval(typed)).toBeNull();
      expect(feedRequest({ ...emptyFeedForm(), interval: typed })).toBeNull();
    }
    // Out of bounds is the API's to say, with its bounds.
    expect(readInterval('5')).toBe(5);
  });

  it("shows the API's problems on their controls, and the rest apart", () => {
    expect(
      placeFeedProblems([
        { field: 'url', message: 'refused: a private address' },
        { field: 'intervalSeconds', message: 'at least 10' },
        { field: 'url', message: 'second' },
        { field: '', message: 'conflict' },
      ]),
    ).toEqual({
      fields: { url: 'refused: a private address; second', intervalSeconds: 'at least 10' },
      other: [{ field: '', message: 'conflict' }],
    });
  });
});

describe('a feed in words', () => {
  it('writes the interval in the largest unit that is exact', () => {
    expect(intervalParts(300)).toEqual({ amount: 5, unit: 'minutes' });
    expect(intervalParts(90)).toEqual({ amount: 90, unit: 'seconds' });
    expect(intervalParts(7_200)).toEqual({ amount: 2, unit: 'hours' });
    expect(intervalParts(86_400)).toEqual({ amount: 1, unit: 'days' });
    expect(intervalParts(5_400)).toEqual({ amount: 90, unit: 'minutes' });
  });

  it('says when it is polled next', () => {
    const feed = { status: 'active' as const, polling: false, nextPollAt: '2026-12-01T09:05:00Z' };
    expect(nextPoll(feed, NOW)).toEqual({ state: 'at', at: '2026-12-01T09:05:00Z' });
    expect(nextPoll({ ...feed, nextPollAt: '2026-12-01T08:59:00Z' }, NOW)).toEqual({ state: 'due' });
    expect(nextPoll({ ...feed, polling: true }, NOW)).toEqual({ state: 'polling' });
    expect(nextPoll({ ...feed, status: 'suspended', polling: true }, NOW)).toEqual({ state: 'suspended' });
  });

  it('says how the last poll went', () => {
    expect(lastOutcome({ lastPolledAt: null, lastError: null })).toEqual({ state: 'never' });
    expect(lastOutcome({ lastPolledAt: '2026-12-01T08:00:00Z', lastError: null })).toEqual({ state: 'ok' });
    expect(lastOutcome({ lastPolledAt: '2026-12-01T08:00:00Z', lastError: 'timed out' })).toEqual({
      state: 'error',
      error: 'timed out',
    });
  });

  it('has every message in both languages', () => {
    expect(Object.keys(partnerFeedsMessages.fr).sort()).toEqual(Object.keys(partnerFeedsMessages.en).sort());
    for (const language of ['en', 'fr'] as const)
      expect(Object.values(partnerFeedsMessages[language]).filter((text) => text.trim() === '')).toEqual([]);
  });
});
