import { ObjectRecord } from './taxii.types';

/** Object versions for the TAXII unit tests, built in memory. */

export const BASE = Date.parse('2026-12-01T10:00:00Z') * 1000;

/** An object version added `offset` µs after BASE. */
export const record = (id: string, offset: number, version = '2026-12-01T09:00:00.000Z'): ObjectRecord => ({
  id,
  type: id.split('--')[0],
  version: new Date(version),
  dateAdded: BASE + offset,
  seq: BigInt(offset),
  part: 0,
  head: null,
  view: null,
});

export const RECORDS = [
  record('identity--team', 1),
  record('report--a', 10, '2026-12-01T09:00:00.000Z'),
  record('indicator--a', 11),
  record('report--a', 20, '2026-12-01T09:30:00.000Z'),
  record('artifact--b', 21),
];
