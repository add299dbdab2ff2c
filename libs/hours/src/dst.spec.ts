import { describe, expect, it } from 'vitest';
import { BusinessHours, OFFICE_WEEK, WEEKDAYS, WeeklySchedule, availability } from './index';

const instant = (iso: string) => new Date(iso).toISOString();
const shown = (date: Date | null) => (date ? date.toISOString() : null);
const only = (spans: Partial<WeeklySchedule>): WeeklySchedule =>
  ({ ...Object.fromEntries(WEEKDAYS.map((day) => [day, []])), ...spans }) as WeeklySchedule;

const PARIS: BusinessHours = { timeZone: 'Europe/Paris', week: OFFICE_WEEK, holidays: null };

// Europe/Paris in 2026: clocks go 02:00 → 03:00 on Sunday 29 March, 03:00 → 02:00 on Sunday 25 October.
describe('availability across a daylight-saving change (Europe/Paris, 2026)', () => {
  it.each<[string, string, string]>([
    ['Friday evening before spring forward', '2026-03-27T19:00:00+01:00', '2026-03-30T09:00:00+02:00'],
    ['Sunday just before spring forward', '2026-03-29T01:59:59+01:00', '2026-03-30T09:00:00+02:00'],
    ['Friday evening before fall back', '2026-10-23T19:00:00+02:00', '2026-10-26T09:00:00+01:00'],
    ['Sunday in the repeated hour', '2026-10-25T02:30:00+01:00', '2026-10-26T09:00:00+01:00'],
  ])('%s: next open Monday 09:00 with the new offset', (_what, at, nextOpenAt) => {
    const result = availability(PARIS, [], new Date(at));
    expect(result.open).toBe(false);
    expect(shown(result.nextOpenAt)).toBe(instant(nextOpenAt));
  });

  it('states the Monday opening in UTC as a person would check it', () => {
    expect(shown(availability(PARIS, [], new Date('2026-03-27T19:00:00+01:00')).nextOpenAt)).toBe(
      '2026-03-30T07:00:00.000Z',
    );
    expect(shown(availability(PARIS, [], new Date('2026-10-23T19:00:00+02:00')).nextOpenAt)).toBe(
      '2026-10-26T08:00:00.000Z',
    );
  });

  it.each<[string, string, string]>([
    // A Sunday open 00:00–24:00 lasts 23 hours in March and 25 in October.
    ['before spring forward', '2026-03-29T01:30:00+01:00', '2026-03-29T22:00:00.000Z'],
    ['after spring forward', '2026-03-29T03:30:00+02:00', '2026-03-29T22:00:00.000Z'],
    ['before fall back', '2026-10-25T02:30:00+02:00', '2026-10-25T23:00:00.000Z'],
    ['after fall back', '2026-10-25T02:30:00+01:00', '2026-10-25T23:00:00.000Z'],
  ])('a 24-hour Sunday spanning the change, %s, closes at Monday 00:00 local', (_what, at, closesAt) => {
    const hours = { ...PARIS, week: only({ sunday: [{ from: '00:00', to: '24:00' }] }) };
    const result = availability(hours, [], new Date(at));
    expect(result.open).toBe(true);
    expect(shown(result.closesAt)).toBe(closesAt);
  });

  it('a span starting in the spring-forward gap starts when the clocks reach 03:00', () => {
    const hours = { ...PARIS, week: only({ sunday: [{ from: '02:30', to: '05:00' }] }) };
    const before = availability(hours, [], new Date('2026-03-29T00:00:00+01:00'));
    expect(shown(before.nextOpenAt)).toBe(instant('2026-03-29T03:00:00+02:00'));
    expect(availability(hours, [], new Date('2026-03-29T01:59:59+01:00')).open).toBe(false);
    const opening = availability(hours, [], new Date('2026-03-29T03:00:00+02:00'));
    expect(opening).toMatchObject({ open: true, localTime: '2026-03-29T03:00:00+02:00' });
    expect(shown(opening.closesAt)).toBe(instant('2026-03-29T05:00:00+02:00'));
    // On an ordinary Sunday the same span starts at 02:30.
    expect(shown(availability(hours, [], new Date('2026-04-05T00:00:00+02:00')).nextOpenAt)).toBe(
      instant('2026-04-05T02:30:00+02:00'),
    );
  });

  it('a span wholly inside the gap does not happen that day', () => {
    const hours = { ...PARIS, week: only({ sunday: [{ from: '02:00', to: '02:45' }] }) };
    const result = availability(hours, [], new Date('2026-03-29T00:00:00+01:00'));
    expect(shown(result.nextOpenAt)).toBe(instant('2026-04-05T02:00:00+02:00'));
  });

  it('a span ending in the gap ends at the change', () => {
    const hours = { ...PARIS, week: only({ sunday: [{ from: '01:00', to: '02:30' }] }) };
    const result = availability(hours, [], new Date('2026-03-29T01:30:00+01:00'));
    expect(shown(result.closesAt)).toBe(instant('2026-03-29T03:00:00+02:00'));
  });

  it('a span in the repeated hour starts at its first occurrence and ends at its second', () => {
    // 02:30–03:30 on 25 October: from 02:30 summer time to 03:30 winter time, two hours.
    const hours = { ...PARIS, week: only({ sunday: [{ from: '02:30', to: '03:30' }] }) };
    const before = availability(hours, [], new Date('2026-10-25T02:00:00+02:00'));
    expect(before.localTime).toBe('2026-10-25T02:00:00+02:00');
    expect(shown(before.nextOpenAt)).toBe(instant('2026-10-25T02:30:00+02:00'));
    const inside = availability(hours, [], new Date('2026-10-25T02:45:00+01:00'));
    expect(inside).toMatchObject({ open: true, localTime: '2026-10-25T02:45:00+01:00' });
    expect(shown(inside.closesAt)).toBe(instant('2026-10-25T03:30:00+01:00'));
  });

  it('handles a zone whose clocks move by half an hour (Australia/Lord_Howe, 5 October 2025)', () => {
    // 02:00 → 02:30 on Sunday 5 October 2025; a span from 02:10 starts at 02:30 (+11:00).
    const hours = {
      ...PARIS,
      timeZone: 'Australia/Lord_Howe',
      week: only({ sunday: [{ from: '02:10', to: '04:00' }] }),
    };
    const result = availability(hours, [], new Date('2025-10-05T01:00:00+10:30'));
    expect(shown(result.nextOpenAt)).toBe(instant('2025-10-05T02:30:00+11:00'));
  });

  it('joins Saturday to 24:00 and Sunday from 00:00 where midnight itself is skipped (America/Santiago)', () => {
    // Chile moves from 24:00 on Saturday 5 September 2026 straight to 01:00 on Sunday.
    const week = only({ saturday: [{ from: '22:00', to: '24:00' }], sunday: [{ from: '00:00', to: '02:00' }] });
    const hours = { ...PARIS, timeZone: 'America/Santiago', week };
    const result = availability(hours, [], new Date('2026-09-05T23:00:00-04:00'));
    expect(result.open).toBe(true);
    expect(shown(result.closesAt)).toBe(instant('2026-09-06T02:00:00-03:00'));
    expect(availability(hours, [], new Date('2026-09-06T01:00:00-03:00')).localTime).toBe('2026-09-06T01:00:00-03:00');
  });
});
