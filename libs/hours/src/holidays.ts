import Holidays from 'date-holidays';

import { HolidayCalendar } from './types';

/*
 * Availability is computed per recipient, often for many recipients of one calendar at once: building a date-holidays
 * calendar and its year of rules is far slower than the lookup, so both are kept for the life of the process.
 * Both caches stay small: one entry per calendar in use, and per year asked about.
 */
const calendars = new Map<string, Holidays>();
const years = new Map<string, ReadonlyMap<string, string>>();

/** 'FR', 'DE-BY', 'DE-BY-A': how the calendar is named in sentences and cache keys. */
export function calendarLabel(calendar: HolidayCalendar): string {
  return [calendar.country, calendar.state, calendar.region].filter((part) => part).join('-');
}

function holidaysOf(calendar: HolidayCalendar): Holidays {
  const key = calendarLabel(calendar);
  let holidays = calendars.get(key);
  if (!holidays) {
    const { country, state, region } = calendar;
    holidays = new Holidays({ country, state: state ?? undefined, region: region ?? undefined }, { languages: ['en'] });
    calendars.set(key, holidays);
  }
  return holidays;
}

/** The public holidays of one year, local date 'YYYY-MM-DD' to name. */
function publicHolidaysByDate(calendar: HolidayCalendar, year: number): ReadonlyMap<string, string> {
  const key = `${calendarLabel(calendar)}/${year}`;
  let byDate = years.get(key);
  if (!byDate) {
    const names = new Map<string, string>();
    // Bank, school, optional holidays and observances leave an organisation open; only public ones close it.
    for (const holiday of holidaysOf(calendar).getHolidays(year)) {
      if (holiday.type !== 'public') continue;
      // `date` is the local date, sometimes followed by an offset ('2026-05-27 00:00:00 -0600').
      const date = holiday.date.slice(0, 10);
      const earlier = names.get(date);
      names.set(date, earlier && earlier !== holiday.name ? `${earlier} / ${holiday.name}` : holiday.name);
    }
    byDate = names;
    years.set(key, byDate);
  }
  return byDate;
}

/** The public holiday's name on a local date 'YYYY-MM-DD', or null. */
export function publicHolidayOn(calendar: HolidayCalendar, isoDate: string): string | null {
  return publicHolidaysByDate(calendar, Number(isoDate.slice(0, 4))).get(isoDate) ?? null;
}

/** The public holidays of a calendar in one year, for display: [{ date: 'YYYY-MM-DD', name }], sorted. */
export function publicHolidays(calendar: HolidayCalendar, year: number): { date: string; name: string }[] {
  return [...publicHolidaysByDate(calendar, year)]
    .map(([date, name]) => ({ date, name }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** Why date-holidays has no such calendar, naming the field at fault, or null when it has. */
export function unknownCalendarProblem(calendar: HolidayCalendar): { field: string; message: string } | null {
  const { country, state, region } = calendar;
  const lookup = new Holidays();
  if (!Object.hasOwn(lookup.getCountries(), country)) {
    return { field: 'country', message: `${country} has no public-holiday calendar in date-holidays` };
  }
  if (state && !Object.hasOwn(lookup.getStates(country) ?? {}, state)) {
    return { field: 'state', message: `${state} is not a state of ${country} known to date-holidays` };
  }
  if (region && !state) return { field: 'region', message: 'needs a state (date-holidays regions lie in a state)' };
  if (region && state && !Object.hasOwn(lookup.getRegions(country, state) ?? {}, region)) {
    return { field: 'region', message: `${region} is not a region of ${country}-${state} known to date-holidays` };
  }
  return null;
}
