import { describe, expect, it } from 'vitest';
import { BusinessHours, OFFICE_WEEK, availability, publicHolidays } from './index';

const instant = (iso: string) => new Date(iso).toISOString();
const shown = (date: Date | null) => (date ? date.toISOString() : null);

const PARIS: BusinessHours = { timeZone: 'Europe/Paris', week: OFFICE_WEEK, holidays: { country: 'FR' } };
const SINGAPORE: BusinessHours = { timeZone: 'Asia/Singapore', week: OFFICE_WEEK, holidays: { country: 'SG' } };

describe('availability on public holidays', () => {
  it('Bastille Day (Tuesday 14 July 2026) closes a French organisation all day', () => {
    const result = availability(PARIS, [], new Date('2026-07-14T10:00:00+02:00'));
    expect(result).toMatchObject({ open: false, state: 'public-holiday', holiday: 'Bastille Day', closesAt: null });
    expect(result.reason).toBe('Public holiday in FR: Bastille Day.');
    expect(shown(result.nextOpenAt)).toBe(instant('2026-07-15T09:00:00+02:00'));
  });

  it.each<[string, BusinessHours, string, string | null]>([
    // what, organisation, at, public holiday or null when open
    ['Easter Monday in FR', PARIS, '2026-04-06T10:00:00+02:00', 'Easter Monday'],
    ['Easter Monday in SG (a working day)', SINGAPORE, '2026-04-06T10:00:00+08:00', null],
    ['Bastille Day in SG (a working day)', SINGAPORE, '2026-07-14T10:00:00+08:00', null],
    ['Good Friday in SG', SINGAPORE, '2026-04-03T10:00:00+08:00', 'Good Friday'],
    ['Good Friday in FR (a working day)', PARIS, '2026-04-03T10:00:00+02:00', null],
    [
      'Good Friday in Bas-Rhin (FR-67)',
      { ...PARIS, holidays: { country: 'FR', state: '67' } },
      '2026-04-03T10:00:00+02:00',
      'Good Friday',
    ],
    [
      'National Day substitute (Monday 10 August) in SG',
      SINGAPORE,
      '2026-08-10T10:00:00+08:00',
      'National Day (substitute day)',
    ],
    ['10 August in FR (a working day)', PARIS, '2026-08-10T10:00:00+02:00', null],
    [
      'Corpus Christi in Bavaria (DE-BY)',
      { ...PARIS, timeZone: 'Europe/Berlin', holidays: { country: 'DE', state: 'BY' } },
      '2026-06-04T10:00:00+02:00',
      'Corpus Christi',
    ],
    [
      'Corpus Christi in Berlin (DE-BE, a working day)',
      { ...PARIS, timeZone: 'Europe/Berlin', holidays: { country: 'DE', state: 'BE' } },
      '2026-06-04T10:00:00+02:00',
      null,
    ],
    ['Bastille Day without a holiday calendar', { ...PARIS, holidays: null }, '2026-07-14T10:00:00+02:00', null],
  ])('%s', (_what, hours, at, holiday) => {
    const result = availability(hours, [], new Date(at));
    expect(result.open).toBe(holiday === null);
    expect(result.state).toBe(holiday === null ? 'business-hours' : 'public-holiday');
    expect(result.holiday).toBe(holiday);
  });

  it('an SG holiday opens again the next working morning, Singapore time', () => {
    const result = availability(SINGAPORE, [], new Date('2026-08-10T10:00:00+08:00'));
    expect(shown(result.nextOpenAt)).toBe(instant('2026-08-11T09:00:00+08:00'));
    expect(result.reason).toBe('Public holiday in SG: National Day (substitute day).');
  });

  it('an Easter Monday closure opens again Tuesday 09:00', () => {
    const result = availability(PARIS, [], new Date('2026-04-06T10:00:00+02:00'));
    expect(shown(result.nextOpenAt)).toBe(instant('2026-04-07T09:00:00+02:00'));
  });

  it('decides the holiday by the local date, not the UTC one', () => {
    // 22:30 UTC on 13 July is 00:30 on 14 July in Paris; 17:00 UTC on 9 August is 01:00 on 10 August in Singapore.
    expect(availability(PARIS, [], new Date('2026-07-13T22:30:00Z')).state).toBe('public-holiday');
    expect(availability(SINGAPORE, [], new Date('2026-08-09T17:00:00Z')).holiday).toBe('National Day (substitute day)');
    expect(availability(SINGAPORE, [], new Date('2026-08-09T15:59:59Z')).state).toBe('public-holiday');
  });

  it('a long weekend: Friday evening before a Monday holiday opens on Tuesday', () => {
    const result = availability(PARIS, [], new Date('2026-04-03T19:00:00+02:00'));
    expect(shown(result.nextOpenAt)).toBe(instant('2026-04-07T09:00:00+02:00'));
  });
});

describe('publicHolidays', () => {
  it('lists the French public holidays of 2026 in date order', () => {
    expect(publicHolidays({ country: 'FR' }, 2026)).toEqual([
      { date: '2026-01-01', name: "New Year's Day" },
      { date: '2026-04-06', name: 'Easter Monday' },
      { date: '2026-05-01', name: 'Labour Day' },
      { date: '2026-05-08', name: 'Victory Day' },
      { date: '2026-05-14', name: 'Ascension Day' },
      { date: '2026-05-25', name: 'Whit Monday' },
      { date: '2026-07-14', name: 'Bastille Day' },
      { date: '2026-08-15', name: 'Assumption' },
      { date: '2026-11-01', name: "All Saints' Day" },
      { date: '2026-11-11', name: 'Armistice Day' },
      { date: '2026-12-25', name: 'Christmas Day' },
    ]);
  });

  it('keeps only public holidays and reads dates that carry an offset', () => {
    const singapore = publicHolidays({ country: 'SG' }, 2026);
    // date-holidays gives Hari Raya Haji as '2026-05-27 00:00:00 -0600'.
    expect(singapore).toContainEqual({ date: '2026-05-27', name: 'Hari Raya Haji' });
    expect(singapore).toContainEqual({ date: '2026-08-10', name: 'National Day (substitute day)' });
    expect(singapore.every(({ date }) => /^2026-\d{2}-\d{2}$/.test(date))).toBe(true);
  });

  it('follows the state and region calendars', () => {
    const bavaria = publicHolidays({ country: 'DE', state: 'BY' }, 2026).map(({ date }) => date);
    const germany = publicHolidays({ country: 'DE' }, 2026).map(({ date }) => date);
    const augsburg = publicHolidays({ country: 'DE', state: 'BY', region: 'A' }, 2026);
    expect(bavaria).toContain('2026-06-04');
    expect(germany).not.toContain('2026-06-04');
    expect(augsburg).toContainEqual({ date: '2026-08-08', name: 'Augsburg Peace Festival' });
  });

  it('returns copies a caller may change', () => {
    publicHolidays({ country: 'FR' }, 2026).pop();
    expect(publicHolidays({ country: 'FR' }, 2026)).toHaveLength(11);
  });
});
