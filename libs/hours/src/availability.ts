import { IANAZone } from 'luxon';

import { calendarLabel, publicHolidayOn } from './holidays';
import {
  ClosureInterval,
  Interval,
  closureIntervals,
  compileWeek,
  merged,
  spanIntervals,
  wholeDay,
  withoutClosures,
} from './openings';
import { Availability, BusinessHours, Closure, WEEKDAYS } from './types';
import {
  DAY_MS,
  MINUTE_MS,
  capitalised,
  clockTime,
  dayOf,
  isoDateOf,
  isoWithOffset,
  wallClock,
  weekdayOf,
  zoneOf,
} from './wall-clock';

/** How far ahead an opening (or the end of one) is looked for. */
const HORIZON_DAYS = 400;

/** Whether the organisation is in its business hours at `at`, and when that changes. */
export function availability(hours: BusinessHours, closures: readonly Closure[], at: Date): Availability {
  const now = at.getTime();
  if (!Number.isFinite(now)) throw new RangeError('at must be a valid Date');
  const zone = zoneOf(hours.timeZone);
  const blocks = closureIntervals(closures);
  const local = localReading(hours, zone, now);
  const opening = currentOrNextOpening(hours, zone, blocks, now, local.day);
  if (opening && opening.start <= now) return openAnswer(zone, local, now, opening.end);
  return closedAnswer(hours, local, now, blocks, opening ? new Date(opening.start) : null);
}

/** The opening containing `now`, else the next one, within the horizon; null when there is none. */
function currentOrNextOpening(
  hours: BusinessHours,
  zone: IANAZone,
  closures: readonly Interval[],
  now: number,
  today: number,
): Interval | null {
  const week = compileWeek(hours.week);
  // An empty week would otherwise walk the whole horizon to find nothing.
  if (WEEKDAYS.every((day) => week[day].length === 0)) return null;
  const horizon = now + HORIZON_DAYS * DAY_MS;
  // Open around the clock (a 24/7 team) only closures interrupt; walking 400 days to learn that would be wasted.
  const days =
    !hours.holidays && WEEKDAYS.every((day) => wholeDay(week[day]))
      ? [{ start: now - DAY_MS, end: horizon + DAY_MS }]
      : // Spans end by 24:00 of their own day, so no earlier day can still be open at `now`; a day past the
        // horizon's own (offsets differ by under a day) saves asking the zone where the horizon falls.
        spanIntervals(hours, zone, week, today, today + HORIZON_DAYS + 1);
  for (const opening of merged(withoutClosures(days, closures))) {
    if (opening.start > horizon) return null;
    if (opening.end > now) return opening;
  }
  return null;
}

interface LocalReading {
  /** 'Tuesday 10:00 in Asia/Singapore' */
  readonly phrase: string;
  readonly iso: string;
  readonly day: number;
  readonly holiday: string | null;
}

function localReading(hours: BusinessHours, zone: IANAZone, now: number): LocalReading {
  const offset = zone.offset(now);
  const wall = now + offset * MINUTE_MS;
  const day = dayOf(wall);
  return {
    phrase: `${capitalised(weekdayOf(day))} ${clockTime(wall)} in ${hours.timeZone}`,
    iso: isoWithOffset(wall, offset),
    day,
    holiday: hours.holidays ? publicHolidayOn(hours.holidays, isoDateOf(day)) : null,
  };
}

function openAnswer(zone: IANAZone, local: LocalReading, now: number, end: number): Availability {
  // An opening still running at the horizon (open around the clock) has no closing time worth promising.
  const closesAt = end > now + HORIZON_DAYS * DAY_MS ? null : end;
  const until =
    closesAt === null ? ', with no closing in the next 400 days' : `, until ${closingPhrase(zone, local, closesAt)}`;
  return {
    open: true,
    state: 'business-hours',
    reason: `In business hours: ${local.phrase}${until}.`,
    localTime: local.iso,
    holiday: null,
    closesAt: closesAt === null ? null : new Date(closesAt),
    nextOpenAt: null,
  };
}

/** '18:00' the same local day, 'Wednesday 00:00' within the week, else '2026-08-15 00:00'. */
function closingPhrase(zone: IANAZone, local: LocalReading, closesAt: number): string {
  const wall = wallClock(zone, closesAt);
  const day = dayOf(wall);
  if (day === local.day) return clockTime(wall);
  if (day - local.day < 7) return `${capitalised(weekdayOf(day))} ${clockTime(wall)}`;
  return `${isoDateOf(day)} ${clockTime(wall)}`;
}

/** Closed: a closure says most about why, then a public holiday (closed all day), then the weekly schedule. */
function closedAnswer(
  hours: BusinessHours,
  local: LocalReading,
  now: number,
  closures: readonly ClosureInterval[],
  nextOpenAt: Date | null,
): Availability {
  const base = { open: false, localTime: local.iso, closesAt: null, nextOpenAt };
  const closure = closures.find((c) => c.start <= now && now < c.end);
  if (closure) return { ...base, state: 'closure', reason: closedBecause(closure.reason), holiday: null };
  if (local.holiday !== null && hours.holidays) {
    const reason = `Public holiday in ${calendarLabel(hours.holidays)}: ${local.holiday}.`;
    return { ...base, state: 'public-holiday', reason, holiday: local.holiday };
  }
  return { ...base, state: 'outside-hours', reason: `Outside business hours: ${local.phrase}.`, holiday: null };
}

function closedBecause(reason: string): string {
  const text = reason.trim();
  if (text === '') return 'Closed.';
  return /[.!?]$/.test(text) ? `Closed: ${text}` : `Closed: ${text}.`;
}
