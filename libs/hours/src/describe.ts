import { calendarLabel } from './holidays';
import { BusinessHours, WEEKDAYS, Weekday } from './types';
import { capitalised } from './wall-clock';

/** 'Monday–Friday', or 'Monday, Wednesday–Friday' when the days are not all consecutive. */
function dayRuns(days: readonly Weekday[]): string {
  const runs: Weekday[][] = [];
  for (const day of days) {
    const run = runs.at(-1);
    if (run && WEEKDAYS.indexOf(run.at(-1)!) + 1 === WEEKDAYS.indexOf(day)) run.push(day);
    else runs.push([day]);
  }
  return runs
    .map((run) => (run.length === 1 ? capitalised(run[0]!) : `${capitalised(run[0]!)}–${capitalised(run.at(-1)!)}`))
    .join(', ');
}

/** A short human description of a schedule: "Monday–Friday 09:00–18:00, Europe/Paris; closed on public holidays in FR". */
export function describeBusinessHours(hours: BusinessHours): string {
  // Days with the same spans are named together, in the order their schedule first appears in the week.
  const groups = new Map<string, Weekday[]>();
  for (const day of WEEKDAYS) {
    const spans = [...(hours.week[day] ?? [])].sort((a, b) => (a.from < b.from ? -1 : 1));
    if (spans.length === 0) continue;
    const key = spans.map((s) => `${s.from}–${s.to}`).join(' and ');
    groups.set(key, [...(groups.get(key) ?? []), day]);
  }
  const schedule = [...groups].map(([spans, days]) => `${dayRuns(days)} ${spans}`).join('; ');
  const holidays = hours.holidays ? `; closed on public holidays in ${calendarLabel(hours.holidays)}` : '';
  return `${schedule || 'Never open'}, ${hours.timeZone}${holidays}`;
}
