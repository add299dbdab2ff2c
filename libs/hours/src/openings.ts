import { IANAZone } from 'luxon';

import { publicHolidayOn } from './holidays';
import { BusinessHours, Closure, WEEKDAYS, Weekday } from './types';
import { DAY_MS, MINUTE_MS, dayResolver, isoDateOf, minutesOf, weekdayOf } from './wall-clock';

/** [start, end) in epoch milliseconds. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

export interface ClosureInterval extends Interval {
  readonly reason: string;
}

/** Minutes after local midnight, spans of each day in order of their start. */
export type CompiledWeek = Readonly<Record<Weekday, readonly { from: number; to: number }[]>>;

export function compileWeek(week: BusinessHours['week']): CompiledWeek {
  const compiled = {} as Record<Weekday, { from: number; to: number }[]>;
  for (const day of WEEKDAYS) {
    compiled[day] = (week[day] ?? [])
      .map((span) => ({ from: minutesOf(span.from), to: minutesOf(span.to) }))
      .sort((a, b) => a.from - b.from);
  }
  return compiled;
}

/** Closures as intervals by start, empty or malformed ones (end not after start) left out. */
export function closureIntervals(closures: readonly Closure[]): ClosureInterval[] {
  return closures
    .map((c) => ({ start: c.startsAt.getTime(), end: c.endsAt.getTime(), reason: c.reason }))
    .filter((c) => Number.isFinite(c.start) && Number.isFinite(c.end) && c.start < c.end)
    .sort((a, b) => a.start - b.start);
}

/** Whether a day's spans (in order) cover it from 00:00 to 24:00. */
export function wholeDay(spans: CompiledWeek[Weekday]): boolean {
  return spans.reduce((reach, span) => (span.from <= reach ? Math.max(reach, span.to) : reach), 0) >= 24 * 60;
}

/** The spans of local days firstDay..lastDay as instants, in order, public holidays left out. */
export function* spanIntervals(
  hours: BusinessHours,
  zone: IANAZone,
  week: CompiledWeek,
  firstDay: number,
  lastDay: number,
): Generator<Interval> {
  for (let day = firstDay; day <= lastDay; day++) {
    const spans = week[weekdayOf(day)];
    if (spans.length === 0 || (hours.holidays && publicHolidayOn(hours.holidays, isoDateOf(day)))) continue;
    const instantOf = dayResolver(zone, day);
    for (const span of spans) {
      const start = instantOf(day * DAY_MS + span.from * MINUTE_MS);
      const end = instantOf(day * DAY_MS + span.to * MINUTE_MS);
      // A span lying wholly inside a spring-forward gap does not happen that day.
      if (start < end) yield { start, end };
    }
  }
}

/** The parts of ordered intervals that no closure covers (closures sorted by start, possibly overlapping). */
export function* withoutClosures(intervals: Iterable<Interval>, closures: readonly Interval[]): Generator<Interval> {
  for (const interval of intervals) {
    let start = interval.start;
    for (const closure of closures) {
      if (closure.end <= start || closure.start >= interval.end) continue;
      if (closure.start > start) yield { start, end: closure.start };
      start = Math.max(start, closure.end);
      if (start >= interval.end) break;
    }
    if (start < interval.end) yield { start, end: interval.end };
  }
}

/**
 * Ordered intervals with touching ones joined: a 24-hour day followed by another, or 09:00–12:00 then 12:00–18:00,
 * is one opening, so closesAt says when the organisation really closes.
 */
export function* merged(intervals: Iterable<Interval>): Generator<Interval> {
  let current: Interval | null = null;
  for (const interval of intervals) {
    if (current && interval.start <= current.end) {
      current = { start: current.start, end: Math.max(current.end, interval.end) };
    } else {
      if (current) yield current;
      current = interval;
    }
  }
  if (current) yield current;
}
