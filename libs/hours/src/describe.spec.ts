import { describe, expect, it } from 'vitest';
import { BusinessHours, OFFICE_WEEK, WEEKDAYS, WeeklySchedule, describeBusinessHours } from './index';

const only = (spans: Partial<WeeklySchedule>): WeeklySchedule =>
  ({ ...Object.fromEntries(WEEKDAYS.map((day) => [day, []])), ...spans }) as WeeklySchedule;
const nineToSix = [{ from: '09:00', to: '18:00' }];

describe('describeBusinessHours', () => {
  it.each<[string, BusinessHours, string]>([
    [
      'the office week with French holidays',
      { timeZone: 'Europe/Paris', week: OFFICE_WEEK, holidays: { country: 'FR' } },
      'Monday–Friday 09:00–18:00, Europe/Paris; closed on public holidays in FR',
    ],
    [
      'no holiday calendar',
      { timeZone: 'Asia/Singapore', week: OFFICE_WEEK, holidays: null },
      'Monday–Friday 09:00–18:00, Asia/Singapore',
    ],
    [
      'a state calendar',
      { timeZone: 'Europe/Berlin', week: OFFICE_WEEK, holidays: { country: 'DE', state: 'BY', region: null } },
      'Monday–Friday 09:00–18:00, Europe/Berlin; closed on public holidays in DE-BY',
    ],
    [
      'a lunch break and a Saturday morning',
      {
        timeZone: 'Europe/Paris',
        week: {
          ...only({}),
          ...Object.fromEntries(
            ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((day) => [
              day,
              [
                { from: '14:00', to: '18:00' },
                { from: '09:00', to: '12:00' },
              ],
            ]),
          ),
          saturday: [{ from: '09:00', to: '12:00' }],
        } as WeeklySchedule,
        holidays: null,
      },
      'Monday–Friday 09:00–12:00 and 14:00–18:00; Saturday 09:00–12:00, Europe/Paris',
    ],
    [
      'days that are not consecutive',
      { timeZone: 'UTC', week: only({ monday: nineToSix, wednesday: nineToSix, thursday: nineToSix }), holidays: null },
      'Monday, Wednesday–Thursday 09:00–18:00, UTC',
    ],
    [
      'around the clock',
      {
        timeZone: 'UTC',
        week: Object.fromEntries(
          WEEKDAYS.map((day) => [day, [{ from: '00:00', to: '24:00' }]]),
        ) as unknown as WeeklySchedule,
        holidays: null,
      },
      'Monday–Sunday 00:00–24:00, UTC',
    ],
    ['an empty week', { timeZone: 'Europe/Paris', week: only({}), holidays: null }, 'Never open, Europe/Paris'],
  ])('%s', (_what, hours, expected) => {
    expect(describeBusinessHours(hours)).toBe(expected);
  });
});
