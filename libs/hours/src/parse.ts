import { IANAZone } from 'luxon';
import { z } from 'zod';

import { unknownCalendarProblem } from './holidays';
import { BusinessHours, OpeningSpan, WEEKDAYS, Weekday, WeeklySchedule } from './types';

const MAX_SPANS_A_DAY = 4;
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

const COUNTRY = /^[A-Z]{2}$/;
const isEnd = (time: string) => HH_MM.test(time) || time === '24:00';

const span = z.strictObject({
  from: z.string().regex(HH_MM, 'must be a time HH:MM'),
  to: z.string().refine(isEnd, 'must be a time HH:MM or 24:00'),
});

/**
 * Spans are compared only once well formed (zod runs refinements past a bad format too), so a typo is reported once;
 * 'HH:MM' strings sort as the times do.
 */
function checkSpans(weekday: Weekday, spans: readonly OpeningSpan[], ctx: z.RefinementCtx): void {
  const wellFormed = spans.map((s, i) => ({ ...s, i })).filter((s) => HH_MM.test(s.from) && isEnd(s.to));
  for (const { from, to, i } of wellFormed) {
    if (from >= to) ctx.addIssue({ code: 'custom', path: [i], message: `must end after it starts (${from}–${to})` });
  }
  const ordered = wellFormed.filter((s) => s.from < s.to);
  ordered.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.i - b.i));
  // Compared with the span reaching furthest so far, so one long span overlapping several is caught each time.
  let reach = ordered[0];
  for (const next of ordered.slice(1)) {
    if (reach && next.from < reach.to) {
      const other = `week.${weekday}.${reach.i} (${reach.from}–${reach.to})`;
      ctx.addIssue({ code: 'custom', path: [next.i], message: `overlaps ${other}` });
    }
    if (!reach || next.to > reach.to) reach = next;
  }
}

function daySchema(weekday: Weekday) {
  return z
    .array(span)
    .max(MAX_SPANS_A_DAY, `must have at most ${MAX_SPANS_A_DAY} spans`)
    .superRefine((spans, ctx) => checkSpans(weekday, spans, ctx));
}

const week = z.strictObject({
  monday: daySchema('monday').optional(),
  tuesday: daySchema('tuesday').optional(),
  wednesday: daySchema('wednesday').optional(),
  thursday: daySchema('thursday').optional(),
  friday: daySchema('friday').optional(),
  saturday: daySchema('saturday').optional(),
  sunday: daySchema('sunday').optional(),
});

const code = z.string().min(1, 'must not be empty');
const calendar = z
  .strictObject({
    country: z.string().regex(COUNTRY, 'must be an ISO 3166-1 alpha-2 code in capitals, such as FR'),
    state: code.nullable().optional(),
    region: code.nullable().optional(),
  })
  .superRefine((value, ctx) => {
    if (!COUNTRY.test(value.country)) return;
    const problem = unknownCalendarProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });

const businessHours = z.strictObject({
  timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Paris'),
  week,
  holidays: calendar.nullable().optional(),
});

/** Type errors read as the rest: "is required", "must be an object". */
const typeMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'is required';
  return `must be ${issue.expected === 'array' || issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}`;
};

/** Problems that name the field path: "week.monday.0.from must be a time HH:MM". */
function problemsOf(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${path ? `${path}.` : ''}${key} is not a known field`);
    }
    return [`${path || 'business hours'} ${issue.message}`];
  });
}

/**
 * Validates untrusted input (from an API body or a config file) with zod. Problems name the field path, e.g.
 * "week.monday.0.from must be a time HH:MM", "timeZone must be an IANA time zone such as Europe/Paris",
 * "holidays.country XX has no public-holiday calendar in date-holidays".
 */
export function parseBusinessHours(input: unknown): { hours: BusinessHours } | { problems: string[] } {
  const parsed = businessHours.safeParse(input, { error: typeMessages });
  if (!parsed.success) return { problems: problemsOf(parsed.error) };
  const { timeZone, week: days, holidays } = parsed.data;
  const schedule = {} as Record<Weekday, readonly OpeningSpan[]>;
  for (const day of WEEKDAYS) schedule[day] = (days[day] ?? []).map(({ from, to }) => ({ from, to }));
  const calendarOut = holidays
    ? { country: holidays.country, state: holidays.state ?? null, region: holidays.region ?? null }
    : null;
  return { hours: { timeZone, week: schedule as WeeklySchedule, holidays: calendarOut } };
}
