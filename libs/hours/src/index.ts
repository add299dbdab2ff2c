export { WEEKDAYS, OFFICE_WEEK, AVAILABILITY_STATES } from './types';
export type {
  Weekday,
  OpeningSpan,
  WeeklySchedule,
  HolidayCalendar,
  BusinessHours,
  Closure,
  AvailabilityState,
  Availability,
} from './types';
export { availability } from './availability';
export { parseBusinessHours } from './parse';
export { publicHolidays } from './holidays';
export { describeBusinessHours } from './describe';
