import { IANAZone } from 'luxon';

import { WEEKDAYS, Weekday } from './types';

/*
 * Local wall-clock times are handled as "wall" numbers: the milliseconds a UTC clock would show for the same
 * reading, so calendar arithmetic (days, weekdays, 24:00) is plain integer arithmetic and only the conversion to
 * and from instants needs the zone's rules.
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** Minutes after local midnight of an 'HH:MM' time ('24:00' is 1440, the next midnight). */
export function minutesOf(time: string): number {
  const match = /^(\d{2}):([0-5]\d)$/.exec(time);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  // Hours that skipped parseBusinessHours must still not spill a span into the next day.
  if (!(minutes <= 24 * 60)) throw new RangeError(`Not a time HH:MM: ${time}`);
  return minutes;
}

export function zoneOf(timeZone: string): IANAZone {
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid) throw new RangeError(`Not an IANA time zone: ${timeZone}`);
  return zone;
}

/** What a clock in the zone reads at an instant. */
export function wallClock(zone: IANAZone, instant: number): number {
  return instant + zone.offset(instant) * MINUTE_MS;
}

/**
 * The instant at which a clock in the zone reads `wall`. Not luxon's DateTime.fromObject: it seeds its offset guess
 * with the current time, so its answer in the autumn overlap changes with the season the code runs in.
 * Here an ambiguous reading is its earlier instant (the offset in force before the change), and a reading skipped
 * by spring-forward is the first instant after the gap.
 */
export function instantOf(zone: IANAZone, wall: number): number {
  // Real zones change offset at most once in two days, so the offsets a day either side are the only candidates.
  const candidates = [zone.offset(wall - DAY_MS), zone.offset(wall + DAY_MS)].map((o) => wall - o * MINUTE_MS);
  const valid = candidates.filter((instant) => wallClock(zone, instant) === wall);
  if (valid.length > 0) return Math.min(...valid);
  return firstInstantReading(zone, wall, Math.min(...candidates), Math.max(...candidates));
}

/*
 * Asking a zone for an offset is the costly step (an Intl format, ~15 µs), and availability walks days for every
 * recipient at much the same instant: the offsets at UTC midnights are kept across calls. Bounded: forgotten
 * wholesale past a size no real use reaches (zones in use × days asked about).
 */
const midnightOffsets = new Map<string, number>();
const MAX_MIDNIGHT_OFFSETS = 100_000;

function offsetAtMidnight(zone: IANAZone, day: number): number {
  const key = `${zone.name}/${day}`;
  let offset = midnightOffsets.get(key);
  if (offset === undefined) {
    if (midnightOffsets.size >= MAX_MIDNIGHT_OFFSETS) midnightOffsets.clear();
    midnightOffsets.set(key, (offset = zone.offset(day * DAY_MS)));
  }
  return offset;
}

/**
 * instantOf for the readings of one local day (00:00 to 24:00). Where the offset is the same a day before and after
 * the local day no change can fall in it, and one subtraction does; otherwise instantOf works it out.
 */
export function dayResolver(zone: IANAZone, day: number): (wall: number) => number {
  // A reading lies within 18 hours of its instant, so between these two samples.
  const offset = offsetAtMidnight(zone, day - 1);
  if (offset === offsetAtMidnight(zone, day + 2)) return (wall) => wall - offset * MINUTE_MS;
  return (wall) => instantOf(zone, wall);
}

/** In a gap the clock jumps over `wall`: bisect (to the millisecond) for the first instant reading at least it. */
function firstInstantReading(zone: IANAZone, wall: number, before: number, after: number): number {
  let lo = before;
  let hi = after;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallClock(zone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Days since 1970-01-01 of a wall reading. */
export function dayOf(wall: number): number {
  return Math.floor(wall / DAY_MS);
}

export function weekdayOf(day: number): Weekday {
  // 1970-01-01 was a Thursday (index 3).
  return WEEKDAYS[(((day + 3) % 7) + 7) % 7]!;
}

export function isoDateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function capitalised(weekday: Weekday): string {
  return weekday.charAt(0).toUpperCase() + weekday.slice(1);
}

/** 'HH:MM' of a wall reading. */
export function clockTime(wall: number): string {
  return new Date(wall).toISOString().slice(11, 16);
}

/** '2026-07-14T10:00:00+02:00': a wall reading to the second, with the zone's offset (minutes) at that instant. */
export function isoWithOffset(wall: number, offset: number): string {
  const minutes = Math.abs(Math.round(offset));
  const sign = offset < 0 ? '-' : '+';
  const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return `${new Date(wall).toISOString().slice(0, 19)}${sign}${hhmm}`;
}
