/**
 * A timestamptz as whole microseconds since the epoch (exact: PostgreSQL's extract gives a numeric),
 * as text: JavaScript's Date keeps only milliseconds, and microseconds since the epoch stay within
 * Number's exact integers.
 */
export const MICROSECONDS = (column: string): string => `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;

/** The timestamptz of a bigint of microseconds since the epoch. */
export const INSTANT = (parameter: string): string =>
  `('epoch'::timestamptz + ${parameter} * interval '1 microsecond')`;
