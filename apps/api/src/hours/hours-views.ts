import type { AvailabilityState } from '@tlp-broker/hours';

export interface OpeningSpanView {
  from: string;
  to: string;
}

export interface WeekView {
  monday: OpeningSpanView[];
  tuesday: OpeningSpanView[];
  wednesday: OpeningSpanView[];
  thursday: OpeningSpanView[];
  friday: OpeningSpanView[];
  saturday: OpeningSpanView[];
  sunday: OpeningSpanView[];
}

export interface HolidayCalendarView {
  country: string;
  state?: string | null;
  region?: string | null;
}

export interface ClosureView {
  id: string;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  createdBy: string;
  createdAt: Date;
}

export interface PublicHolidayView {
  /** YYYY-MM-DD, in the organisation's time zone. */
  date: string;
  name: string;
}

/** An organisation's (or, with `organisationId` null, the team's) business hours. */
export interface BusinessHoursView {
  organisationId: string | null;
  name: string;
  /** False: none registered, the team's hours apply with the organisation's country's holidays. */
  registered: boolean;
  timeZone: string;
  week: WeekView;
  holidays: HolidayCalendarView | null;
  /** "Monday–Friday 09:00–18:00, Europe/Paris; closed on public holidays in FR" */
  description: string;
  /** Closures not yet over, earliest first. */
  closures: ClosureView[];
  /** This year's and next year's public holidays. */
  publicHolidays: PublicHolidayView[];
}

/** Whether the organisation (or the team) is in business hours at `at`, and when it next is. */
export interface AvailabilityView {
  organisationId: string | null;
  name: string;
  at: Date;
  open: boolean;
  state: AvailabilityState;
  /** A sentence: "Public holiday in FR: Bastille Day." */
  reason: string;
  /** `at` in the organisation's time zone, with its offset. */
  localTime: string;
  timeZone: string;
  holiday: string | null;
  /** When open: when this opening ends. */
  closesAt: Date | null;
  /** When closed: when it next opens (null: never, an empty week). */
  nextOpenAt: Date | null;
  registered: boolean;
}
