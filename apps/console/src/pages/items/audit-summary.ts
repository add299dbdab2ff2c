/**
 * An audit event's details as one short line ("version: 2 · tlp: TLP:AMBER · allowed: 12"):
 * references and digests left out (the trail keeps them), lists of ids counted, empty values
 * skipped, long values cut. Pure: no DOM.
 */

export interface DetailPart {
  key: string;
  value: string;
}

/** Keys a person does not read in a summary: references to other records and digests. */
const LEFT_OUT = /(Id|Ids|Digest)$/;
const MAX_TEXT = 120;
const MAX_LISTED = 5;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** `formatTime` writes timestamps found in the details (in the user's zone). */
export function summariseDetails(
  details: Record<string, unknown>,
  formatTime: (iso: string) => string = (iso) => iso,
): DetailPart[] {
  return Object.entries(details).flatMap(([key, value]) => {
    if (LEFT_OUT.test(key)) return [];
    const text = describe(value, formatTime);
    return text === null ? [] : [{ key, value: text }];
  });
}

function describe(value: unknown, formatTime: (iso: string) => string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    if (value === '') return null;
    if (ISO_TIME.test(value)) return formatTime(value);
    if (UUID.test(value)) return `${value.slice(0, 8)}…`;
    return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT - 1)}…` : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return null;
    // Records and ids are counted: "organisations: 3".
    const listable = value.every(
      (entry) => ['number', 'boolean'].includes(typeof entry) || (typeof entry === 'string' && !UUID.test(entry)),
    );
    if (!listable) return String(value.length);
    const listed = value.slice(0, MAX_LISTED).map(String).join(', ');
    return value.length > MAX_LISTED ? `${listed} (+${value.length - MAX_LISTED})` : listed;
  }
  if (typeof value === 'object') {
    const parts = summariseDetails(value as Record<string, unknown>, formatTime);
    return parts.length ? parts.map((part) => `${part.key}: ${part.value}`).join('; ') : null;
  }
  return null;
}
