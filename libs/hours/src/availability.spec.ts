import { describe, expect, it } from 'vitest';
import { BusinessHours, Closure, OFFICE_WEEK, WEEKDAYS, WeeklySchedule, availability } from './index';

/** The instant an ISO string with offset names, as UTC, so expectations show the offset the reader checks. */
const instant = (iso: string) => new Date(iso).toISOString();
const shown = (date: Date | null) => (date ? date.toISOString() : null);

const PARIS: BusinessHours = { timeZone: 'Europe/Paris', week: OFFICE_WEEK, holidays: null };
const EMPTY_WEEK = Object.fromEntries(WEEKDAYS.map((day) => [day, []])) as unknown as WeeklySchedule;
const ALWAYS = Object.fromEntries(
  WEEKDAYS.map((day) => [day, [{ from: '00:00', to: '24:00' }]]),
) as unknown as WeeklySchedule;

describe('availability: Europe/Paris office week', () => {
  it.each<[string, string, boolean, string | null, string | null]>([
    // what, at, open, closesAt, nextOpenAt
    ['Tuesday 10:00 (summer)', '2026-07-07T10:00:00+02:00', true, '2026-07-07T18:00:00+02:00', null],
    ['Tuesday 10:00 (winter)', '2026-01-13T10:00:00+01:00', true, '2026-01-13T18:00:00+01:00', null],
    ['Tuesday 09:00:00, the opening second', '2026-07-07T09:00:00+02:00', true, '2026-07-07T18:00:00+02:00', null],
    ['Tuesday 17:59:59', '2026-07-07T17:59:59+02:00', true, '2026-07-07T18:00:00+02:00', null],
    ['Tuesday 18:00:00, end exclusive', '2026-07-07T18:00:00+02:00', false, null, '2026-07-08T09:00:00+02:00'],
    ['Tuesday 08:59:59', '2026-07-07T08:59:59+02:00', false, null, '2026-07-07T09:00:00+02:00'],
    ['Tuesday 03:00', '2026-07-07T03:00:00+02:00', false, null, '2026-07-07T09:00:00+02:00'],
    ['Friday 18:30 (summer)', '2026-07-10T18:30:00+02:00', false, null, '2026-07-13T09:00:00+02:00'],
    ['Saturday 23:00 (summer)', '2026-07-11T23:00:00+02:00', false, null, '2026-07-13T09:00:00+02:00'],
    ['Saturday 23:00 (winter)', '2026-01-10T23:00:00+01:00', false, null, '2026-01-12T09:00:00+01:00'],
    ['Sunday 23:59:59', '2026-01-11T23:59:59+01:00', false, null, '2026-01-12T09:00:00+01:00'],
  ])('%s', (_what, at, open, closesAt, nextOpenAt) => {
    const result = availability(PARIS, [], new Date(at));
    expect(result.open).toBe(open);
    expect(result.state).toBe(open ? 'business-hours' : 'outside-hours');
    expect(shown(result.closesAt)).toBe(closesAt && instant(closesAt));
    expect(shown(result.nextOpenAt)).toBe(nextOpenAt && instant(nextOpenAt));
    expect(result.holiday).toBeNull();
  });

  it('gives the local time with its offset, to the second', () => {
    expect(availability(PARIS, [], new Date('2026-07-07T08:00:00.750Z')).localTime).toBe('2026-07-07T10:00:00+02:00');
    expect(availability(PARIS, [], new Date('2026-01-10T22:10:00Z')).localTime).toBe('2026-01-10T23:10:00+01:00');
  });

  it('says why in a sentence', () => {
    expect(availability(PARIS, [], new Date('2026-07-11T23:10:00+02:00')).reason).toBe(
      'Outside business hours: Saturday 23:10 in Europe/Paris.',
    );
    expect(availability(PARIS, [], new Date('2026-07-07T10:00:00+02:00')).reason).toBe(
      'In business hours: Tuesday 10:00 in Europe/Paris, until 18:00.',
    );
    const singapore = { ...PARIS, timeZone: 'Asia/Singapore' };
    expect(availability(singapore, [], new Date('2026-07-07T10:00:00+08:00')).reason).toBe(
      'In business hours: Tuesday 10:00 in Asia/Singapore, until 18:00.',
    );
  });

  it('reads the spans of each day in their own order, whatever order they were given in', () => {
    const split = {
      ...OFFICE_WEEK,
      tuesday: [
        { from: '14:00', to: '18:00' },
        { from: '09:00', to: '12:00' },
      ],
    };
    const hours = { ...PARIS, week: split };
    const lunch = availability(hours, [], new Date('2026-07-07T12:30:00+02:00'));
    expect(shown(lunch.nextOpenAt)).toBe(instant('2026-07-07T14:00:00+02:00'));
    expect(shown(availability(hours, [], new Date('2026-07-07T10:00:00+02:00')).closesAt)).toBe(
      instant('2026-07-07T12:00:00+02:00'),
    );
  });

  it('joins touching spans into one opening', () => {
    const hours = {
      ...PARIS,
      week: {
        ...OFFICE_WEEK,
        monday: [
          { from: '09:00', to: '12:00' },
          { from: '12:00', to: '18:00' },
        ],
      },
    };
    const result = availability(hours, [], new Date('2026-07-06T10:00:00+02:00'));
    expect(shown(result.closesAt)).toBe(instant('2026-07-06T18:00:00+02:00'));
  });
});

describe('availability: schedules with nothing or everything', () => {
  it('an empty week is never open', () => {
    const result = availability({ ...PARIS, week: EMPTY_WEEK }, [], new Date('2026-07-07T10:00:00+02:00'));
    expect(result).toMatchObject({ open: false, state: 'outside-hours', closesAt: null, nextOpenAt: null });
  });

  it('a week open around the clock never closes (within the 400 days searched)', () => {
    const result = availability({ ...PARIS, week: ALWAYS }, [], new Date('2026-07-11T23:00:00+02:00'));
    expect(result).toMatchObject({ open: true, state: 'business-hours', closesAt: null, nextOpenAt: null });
    expect(result.reason).toBe(
      'In business hours: Saturday 23:00 in Europe/Paris, with no closing in the next 400 days.',
    );
  });

  it('a week open around the clock closes only for a closure', () => {
    const closure: Closure = {
      startsAt: new Date('2026-07-20T06:00:00+02:00'),
      endsAt: new Date('2026-07-20T08:00:00+02:00'),
      reason: 'Power works',
    };
    const hours = { ...PARIS, week: ALWAYS };
    expect(shown(availability(hours, [closure], new Date('2026-07-11T23:00:00+02:00')).closesAt)).toBe(
      instant('2026-07-20T06:00:00+02:00'),
    );
    const during = availability(hours, [closure], new Date('2026-07-20T07:00:00+02:00'));
    expect(during).toMatchObject({ open: false, state: 'closure', reason: 'Closed: Power works.' });
    expect(shown(during.nextOpenAt)).toBe(instant('2026-07-20T08:00:00+02:00'));
  });

  it('a week open around the clock closes at the next public holiday', () => {
    const hours: BusinessHours = { ...PARIS, week: ALWAYS, holidays: { country: 'FR' } };
    const result = availability(hours, [], new Date('2026-07-08T10:00:00+02:00'));
    expect(shown(result.closesAt)).toBe(instant('2026-07-14T00:00:00+02:00'));
    expect(result.reason).toBe('In business hours: Wednesday 10:00 in Europe/Paris, until Tuesday 00:00.');
  });

  it('finds an opening only once a year, far ahead', () => {
    const week = { ...EMPTY_WEEK, friday: [{ from: '10:00', to: '11:00' }] };
    // Every Friday but one is a closure: the next opening is a year away.
    const closure: Closure = {
      startsAt: new Date('2026-07-01T00:00:00+02:00'),
      endsAt: new Date('2027-06-30T00:00:00+02:00'),
      reason: 'Sabbatical',
    };
    const result = availability({ ...PARIS, week }, [closure], new Date('2026-07-02T00:00:00+02:00'));
    expect(shown(result.nextOpenAt)).toBe(instant('2027-07-02T10:00:00+02:00'));
    const beyond = { ...closure, endsAt: new Date('2027-09-01T00:00:00+02:00') };
    expect(availability({ ...PARIS, week }, [beyond], new Date('2026-07-02T00:00:00+02:00')).nextOpenAt).toBeNull();
  });

  it('refuses an invalid instant or an unknown zone rather than guessing', () => {
    expect(() => availability(PARIS, [], new Date('not a date'))).toThrow(RangeError);
    expect(() => availability({ ...PARIS, timeZone: 'Mars/Olympus' }, [], new Date('2026-07-06T10:00:00Z'))).toThrow(
      RangeError,
    );
    const late = { ...OFFICE_WEEK, monday: [{ from: '22:00', to: '25:00' }] };
    expect(() => availability({ ...PARIS, week: late }, [], new Date('2026-07-06T10:00:00Z'))).toThrow(RangeError);
  });
});

describe('availability: closures', () => {
  const move: Closure = {
    startsAt: new Date('2026-07-07T12:00:00+02:00'),
    endsAt: new Date('2026-07-07T14:00:00+02:00'),
    reason: 'Office move',
  };

  it.each<[string, string, boolean, string, string | null, string | null]>([
    // what, at, open, state, closesAt, nextOpenAt
    [
      'before: the closure cuts the span',
      '2026-07-07T10:00:00+02:00',
      true,
      'business-hours',
      '2026-07-07T12:00:00+02:00',
      null,
    ],
    ['at its start', '2026-07-07T12:00:00+02:00', false, 'closure', null, '2026-07-07T14:00:00+02:00'],
    ['inside: open again at its end', '2026-07-07T13:00:00+02:00', false, 'closure', null, '2026-07-07T14:00:00+02:00'],
    [
      'at its end, end exclusive',
      '2026-07-07T14:00:00+02:00',
      true,
      'business-hours',
      '2026-07-07T18:00:00+02:00',
      null,
    ],
  ])('%s', (_what, at, open, state, closesAt, nextOpenAt) => {
    const result = availability(PARIS, [move], new Date(at));
    expect(result).toMatchObject({ open, state });
    expect(shown(result.closesAt)).toBe(closesAt && instant(closesAt));
    expect(shown(result.nextOpenAt)).toBe(nextOpenAt && instant(nextOpenAt));
  });

  it('names the closure reason', () => {
    const result = availability(PARIS, [move], new Date('2026-07-07T13:00:00+02:00'));
    expect(result.reason).toBe('Closed: Office move.');
    expect(result.holiday).toBeNull();
  });

  it('opens at the next span when the closure ends outside business hours', () => {
    const evening = { ...move, endsAt: new Date('2026-07-07T20:00:00+02:00') };
    const result = availability(PARIS, [evening], new Date('2026-07-07T13:00:00+02:00'));
    expect(shown(result.nextOpenAt)).toBe(instant('2026-07-08T09:00:00+02:00'));
  });

  it('skips overlapping and back-to-back closures, given in any order', () => {
    const closures: Closure[] = [
      { startsAt: new Date('2026-07-07T15:00:00+02:00'), endsAt: new Date('2026-07-07T16:00:00+02:00'), reason: 'B' },
      { startsAt: new Date('2026-07-07T13:30:00+02:00'), endsAt: new Date('2026-07-07T15:30:00+02:00'), reason: 'A' },
      move,
    ];
    const result = availability(PARIS, closures, new Date('2026-07-07T12:30:00+02:00'));
    expect(shown(result.nextOpenAt)).toBe(instant('2026-07-07T16:00:00+02:00'));
  });

  it('ignores a closure that ends before it starts', () => {
    const backwards = { ...move, startsAt: move.endsAt, endsAt: move.startsAt };
    expect(availability(PARIS, [backwards], new Date('2026-07-07T13:00:00+02:00')).open).toBe(true);
  });

  it('reports a closure over a public holiday as the closure', () => {
    const summer: Closure = {
      startsAt: new Date('2026-07-13T00:00:00+02:00'),
      endsAt: new Date('2026-07-18T00:00:00+02:00'),
      reason: 'Summer shutdown.',
    };
    const result = availability(
      { ...PARIS, holidays: { country: 'FR' } },
      [summer],
      new Date('2026-07-14T10:00:00+02:00'),
    );
    expect(result).toMatchObject({ state: 'closure', reason: 'Closed: Summer shutdown.', holiday: null });
    expect(shown(result.nextOpenAt)).toBe(instant('2026-07-20T09:00:00+02:00'));
  });
});
