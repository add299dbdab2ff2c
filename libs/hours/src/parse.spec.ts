import { describe, expect, it } from 'vitest';
import { BusinessHours, OFFICE_WEEK, parseBusinessHours } from './index';

const VALID: BusinessHours = {
  timeZone: 'Europe/Paris',
  week: {
    ...OFFICE_WEEK,
    monday: [
      { from: '09:00', to: '12:00' },
      { from: '13:30', to: '18:00' },
    ],
    saturday: [{ from: '10:00', to: '24:00' }],
  },
  holidays: { country: 'DE', state: 'BY', region: 'A' },
};

const problemsOf = (input: unknown): string[] => {
  const result = parseBusinessHours(input);
  if ('hours' in result) throw new Error(`expected problems, got ${JSON.stringify(result.hours)}`);
  return result.problems;
};
const withMonday = (monday: unknown) => ({ timeZone: 'Europe/Paris', week: { monday } });

describe('parseBusinessHours: valid input', () => {
  it('round-trips a complete schedule', () => {
    expect(parseBusinessHours(VALID)).toEqual({ hours: VALID });
    expect(parseBusinessHours(JSON.parse(JSON.stringify(VALID)))).toEqual({ hours: VALID });
  });

  it('fills in missing days, an absent calendar, and absent state and region', () => {
    expect(
      parseBusinessHours({ timeZone: 'Asia/Singapore', week: { friday: [{ from: '09:00', to: '17:00' }] } }),
    ).toEqual({
      hours: {
        timeZone: 'Asia/Singapore',
        week: {
          monday: [],
          tuesday: [],
          wednesday: [],
          thursday: [],
          friday: [{ from: '09:00', to: '17:00' }],
          saturday: [],
          sunday: [],
        },
        holidays: null,
      },
    });
    const result = parseBusinessHours({ timeZone: 'Europe/Paris', week: OFFICE_WEEK, holidays: { country: 'FR' } });
    expect(result).toEqual({
      hours: { timeZone: 'Europe/Paris', week: OFFICE_WEEK, holidays: { country: 'FR', state: null, region: null } },
    });
  });

  it('accepts touching spans, four a day, and a whole day', () => {
    const four = ['00:00', '06:00', '12:00', '18:00'].map((from, i) => ({
      from,
      to: ['06:00', '12:00', '18:00', '24:00'][i]!,
    }));
    expect(parseBusinessHours(withMonday(four))).toHaveProperty('hours');
    expect(parseBusinessHours(withMonday([{ from: '00:00', to: '24:00' }]))).toHaveProperty('hours');
  });
});

describe('parseBusinessHours: problems name the field', () => {
  it.each<[string, unknown, string]>([
    ['not an object', 'Mon–Fri', 'business hours must be an object'],
    ['no time zone', { week: {} }, 'timeZone is required'],
    [
      'an unknown time zone',
      { timeZone: 'Mars/Olympus', week: {} },
      'timeZone must be an IANA time zone such as Europe/Paris',
    ],
    [
      'an offset, not a zone',
      { timeZone: '+02:00', week: {} },
      'timeZone must be an IANA time zone such as Europe/Paris',
    ],
    ['a time zone that is not a string', { timeZone: 1, week: {} }, 'timeZone must be a string'],
    ['no week', { timeZone: 'Europe/Paris' }, 'week is required'],
    ['an unknown field', { timeZone: 'Europe/Paris', week: {}, colour: 'blue' }, 'colour is not a known field'],
    ['an unknown day', { timeZone: 'Europe/Paris', week: { mon: [] } }, 'week.mon is not a known field'],
    ['a day that is not a list', withMonday({ from: '09:00', to: '18:00' }), 'week.monday must be an array'],
    ['a one-digit hour', withMonday([{ from: '9:00', to: '18:00' }]), 'week.monday.0.from must be a time HH:MM'],
    ['24:00 as a start', withMonday([{ from: '24:00', to: '24:00' }]), 'week.monday.0.from must be a time HH:MM'],
    ['minutes past 59', withMonday([{ from: '09:60', to: '18:00' }]), 'week.monday.0.from must be a time HH:MM'],
    [
      'an end past 24:00',
      withMonday([{ from: '09:00', to: '24:01' }]),
      'week.monday.0.to must be a time HH:MM or 24:00',
    ],
    ['a missing end', withMonday([{ from: '09:00' }]), 'week.monday.0.to is required'],
    [
      'an unknown span field',
      withMonday([{ from: '09:00', to: '18:00', note: 'x' }]),
      'week.monday.0.note is not a known field',
    ],
    [
      'an end before the start',
      withMonday([{ from: '18:00', to: '09:00' }]),
      'week.monday.0 must end after it starts (18:00–09:00)',
    ],
    [
      'an empty span',
      withMonday([{ from: '09:00', to: '09:00' }]),
      'week.monday.0 must end after it starts (09:00–09:00)',
    ],
    [
      'overlapping spans',
      withMonday([
        { from: '13:00', to: '18:00' },
        { from: '09:00', to: '13:30' },
      ]),
      'week.monday.0 overlaps week.monday.1 (09:00–13:30)',
    ],
    [
      'a long span overlapping two others',
      withMonday([
        { from: '09:00', to: '18:00' },
        { from: '10:00', to: '11:00' },
        { from: '12:00', to: '13:00' },
      ]),
      'week.monday.2 overlaps week.monday.0 (09:00–18:00)',
    ],
    [
      'five spans',
      withMonday(['08', '10', '12', '14', '16'].map((h) => ({ from: `${h}:00`, to: `${h}:30` }))),
      'week.monday must have at most 4 spans',
    ],
    [
      'a lower-case country',
      { timeZone: 'Europe/Paris', week: {}, holidays: { country: 'fr' } },
      'holidays.country must be an ISO 3166-1 alpha-2 code in capitals, such as FR',
    ],
    [
      'an unknown country',
      { timeZone: 'Europe/Paris', week: {}, holidays: { country: 'XX' } },
      'holidays.country XX has no public-holiday calendar in date-holidays',
    ],
    [
      'an unknown state',
      { timeZone: 'Europe/Berlin', week: {}, holidays: { country: 'DE', state: 'ZZ' } },
      'holidays.state ZZ is not a state of DE known to date-holidays',
    ],
    [
      'an unknown region',
      { timeZone: 'Europe/Berlin', week: {}, holidays: { country: 'DE', state: 'BY', region: 'Q' } },
      'holidays.region Q is not a region of DE-BY known to date-holidays',
    ],
    [
      'a region without a state',
      { timeZone: 'Europe/Berlin', week: {}, holidays: { country: 'DE', region: 'A' } },
      'holidays.region needs a state (date-holidays regions lie in a state)',
    ],
    [
      'an empty state',
      { timeZone: 'Europe/Berlin', week: {}, holidays: { country: 'DE', state: '' } },
      'holidays.state must not be empty',
    ],
    [
      'an unknown calendar field',
      { timeZone: 'Europe/Paris', week: {}, holidays: { country: 'FR', city: 'Lyon' } },
      'holidays.city is not a known field',
    ],
  ])('%s', (_what, input, problem) => {
    expect(problemsOf(input)).toContain(problem);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      timeZone: 'Paris',
      week: { monday: [{ from: '9', to: '18:00' }], sunday: [{ from: '10:00', to: '25:00' }] },
      holidays: { country: 'fr' },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'timeZone must be an IANA time zone such as Europe/Paris',
        'week.monday.0.from must be a time HH:MM',
        'week.sunday.0.to must be a time HH:MM or 24:00',
        'holidays.country must be an ISO 3166-1 alpha-2 code in capitals, such as FR',
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('accepts holidays given as null', () => {
    expect(parseBusinessHours({ timeZone: 'UTC', week: {}, holidays: null })).toEqual({
      hours: {
        timeZone: 'UTC',
        week: { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] },
        holidays: null,
      },
    });
  });
});
