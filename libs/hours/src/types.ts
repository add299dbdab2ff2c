export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** 'HH:MM' local times; `to` may be '24:00'; from < to; spans of one day must not overlap. */
export interface OpeningSpan {
  readonly from: string;
  readonly to: string;
}

export type WeeklySchedule = Readonly<Record<Weekday, readonly OpeningSpan[]>>;

/**
 * A date-holidays calendar: ISO 3166-1 alpha-2 country, optional state/region codes as date-holidays names them
 * (e.g. { country: 'DE', state: 'BY' }).
 */
export interface HolidayCalendar {
  readonly country: string;
  readonly state?: string | null;
  readonly region?: string | null;
}

export interface BusinessHours {
  readonly timeZone: string;
  readonly week: WeeklySchedule;
  readonly holidays: HolidayCalendar | null;
}

/** A closure an administrator adds (an absolute interval, end exclusive). */
export interface Closure {
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly reason: string;
}

const NINE_TO_SIX: readonly OpeningSpan[] = Object.freeze([Object.freeze({ from: '09:00', to: '18:00' })]);

/** Monday to Friday 09:00–18:00, nothing at weekends. */
export const OFFICE_WEEK: WeeklySchedule = Object.freeze({
  monday: NINE_TO_SIX,
  tuesday: NINE_TO_SIX,
  wednesday: NINE_TO_SIX,
  thursday: NINE_TO_SIX,
  friday: NINE_TO_SIX,
  saturday: Object.freeze([]),
  sunday: Object.freeze([]),
});

export const AVAILABILITY_STATES = ['business-hours', 'outside-hours', 'public-holiday', 'closure'] as const;
export type AvailabilityState = (typeof AVAILABILITY_STATES)[number];

export interface Availability {
  readonly open: boolean;
  readonly state: AvailabilityState;
  /**
   * A sentence a person can read, e.g. "Outside business hours: Saturday 23:10 in Europe/Paris." /
   * "Public holiday in FR: Bastille Day." / "Closed: <closure reason>." /
   * "In business hours: Tuesday 10:00 in Asia/Singapore, until 18:00."
   */
  readonly reason: string;
  /** The instant in the organisation's zone, ISO 8601 with offset, to the second: '2026-07-14T10:00:00+02:00'. */
  readonly localTime: string;
  /** The public holiday's name when state is 'public-holiday', else null. */
  readonly holiday: string | null;
  /**
   * When open: when this opening ends (end of the span, or the start of a closure/holiday that cuts it); null when
   * it does not end within the 400 days searched (a schedule open around the clock). Else null.
   */
  readonly closesAt: Date | null;
  /**
   * When closed: the first instant it is open again, searched up to 400 days ahead (null if never, e.g. an empty
   * week). When open: null.
   */
  readonly nextOpenAt: Date | null;
}
