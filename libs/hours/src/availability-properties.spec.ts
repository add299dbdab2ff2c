import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  BusinessHours,
  Closure,
  HolidayCalendar,
  OpeningSpan,
  WEEKDAYS,
  WeeklySchedule,
  availability,
  publicHolidays,
} from './index';

const NUM_RUNS = 400;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Zones with spring-forward and fall-back, half-hour changes, changes at midnight, and none at all. */
const ZONES = [
  'Europe/Paris',
  'America/New_York',
  'America/St_Johns',
  'America/Santiago',
  'Australia/Lord_Howe',
  'Pacific/Auckland',
  'Asia/Singapore',
  'Asia/Kolkata',
  'UTC',
];
const CALENDARS: (HolidayCalendar | null)[] = [
  null,
  { country: 'FR' },
  { country: 'SG' },
  { country: 'DE', state: 'BY' },
  { country: 'US' },
  { country: 'CL' },
];
/** Clock changes in 2026 (and Lord Howe's half hour in 2025), near which instants are drawn half the time. */
const CHANGES = [
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-03-08T07:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-04-05T03:00:00Z',
  '2026-09-06T04:00:00Z',
  '2025-10-04T15:30:00Z',
  '2026-04-04T15:00:00Z',
].map((iso) => Date.parse(iso));

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Up to four non-overlapping spans: sorted distinct minute marks taken in pairs (touching spans allowed). */
const dayArb: fc.Arbitrary<OpeningSpan[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 1440 }), { maxLength: 8 })
  .map((marks) => {
    const sorted = [...marks].sort((a, b) => a - b);
    const spans: OpeningSpan[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) spans.push({ from: hhmm(sorted[i]!), to: hhmm(sorted[i + 1]!) });
    return spans;
  });

/** Now and then open around the clock, a case the library shortcuts. */
const ALWAYS_OPEN: OpeningSpan[] = [{ from: '00:00', to: '24:00' }];
const weekArb: fc.Arbitrary<WeeklySchedule> = fc
  .tuple(fc.integer({ min: 0, max: 5 }), ...WEEKDAYS.map(() => dayArb))
  .map(([dice, ...days]) => (dice === 0 ? WEEKDAYS.map(() => ALWAYS_OPEN) : days))
  .map((days) => Object.fromEntries(WEEKDAYS.map((day, i) => [day, days[i]])) as unknown as WeeklySchedule);

const hoursArb: fc.Arbitrary<BusinessHours> = fc.record({
  timeZone: fc.constantFrom(...ZONES),
  week: weekArb,
  holidays: fc.constantFrom(...CALENDARS),
});

const atArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2031-01-01T00:00:00Z') }),
  fc
    .tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -3 * DAY, max: 3 * DAY }))
    .map(([change, delta]) => change + delta),
);

/** Closures on whole minutes, near `at`, so every opening boundary is at least a minute from the next. */
const closuresArb = (at: number): fc.Arbitrary<Closure[]> =>
  fc.array(
    fc
      .record({ start: fc.integer({ min: -3 * 1440, max: 10 * 1440 }), minutes: fc.integer({ min: 1, max: 5 * 1440 }) })
      .map(({ start, minutes }) => {
        const startsAt = Math.floor(at / MINUTE) * MINUTE + start * MINUTE;
        return { startsAt: new Date(startsAt), endsAt: new Date(startsAt + minutes * MINUTE), reason: 'Maintenance' };
      }),
    { maxLength: 3 },
  );

const scenarioArb = fc
  .tuple(hoursArb, atArb)
  .chain(([hours, at]) => closuresArb(at).map((closures) => ({ hours, at, closures })));

describe('availability properties', () => {
  it('nextOpenAt is later, open, and closed one second before', () => {
    fc.assert(
      fc.property(scenarioArb, ({ hours, at, closures }) => {
        const result = availability(hours, closures, new Date(at));
        expect(result.open).toBe(result.state === 'business-hours');
        if (result.open || result.nextOpenAt === null) return;
        const next = result.nextOpenAt.getTime();
        expect(next).toBeGreaterThan(at);
        expect(availability(hours, closures, result.nextOpenAt).open).toBe(true);
        expect(availability(hours, closures, new Date(next - 1000)).open).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('closesAt is later, open one second before, and closed then', () => {
    fc.assert(
      fc.property(scenarioArb, ({ hours, at, closures }) => {
        const result = availability(hours, closures, new Date(at));
        if (!result.open || result.closesAt === null) return;
        const closes = result.closesAt.getTime();
        expect(closes).toBeGreaterThan(at);
        expect(result.nextOpenAt).toBeNull();
        expect(availability(hours, closures, new Date(closes - 1000)).open).toBe(true);
        expect(availability(hours, closures, result.closesAt).open).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('away from clock changes, open means: a span holds the local time, no holiday, no closure', () => {
    fc.assert(
      fc.property(scenarioArb, ({ hours, at, closures }) => {
        const zone = IANAZone.create(hours.timeZone);
        // Within a day of a change a local reading may be skipped or repeated; the tables cover those days.
        fc.pre(zone.offset(at - DAY) === zone.offset(at + DAY));
        const local = new Date(at + zone.offset(at) * MINUTE);
        const date = local.toISOString().slice(0, 10);
        const seconds = local.getUTCHours() * 3600 + local.getUTCMinutes() * 60 + local.getUTCSeconds();
        const weekday = WEEKDAYS[(local.getUTCDay() + 6) % 7]!;
        const toSeconds = (time: string) => Number(time.slice(0, 2)) * 3600 + Number(time.slice(3)) * 60;
        const inSpan = hours.week[weekday].some((s) => toSeconds(s.from) <= seconds && seconds < toSeconds(s.to));
        const holiday = hours.holidays
          ? publicHolidays(hours.holidays, local.getUTCFullYear()).find((h) => h.date === date)
          : undefined;
        const closed = closures.some((c) => c.startsAt.getTime() <= at && at < c.endsAt.getTime());
        const result = availability(hours, closures, new Date(at));
        expect(result.open).toBe(inSpan && !holiday && !closed);
        expect(result.state === 'public-holiday').toBe(!closed && holiday !== undefined);
        expect(result.holiday).toBe(!closed && holiday ? holiday.name : null);
        expect(new Date(result.localTime).getTime()).toBe(Math.floor(at / 1000) * 1000);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
