/**
 * A reporting form's fields as triage shows them, in the form's order: the ones the submission's
 * own facts do not already say (its title, label and description are shown elsewhere). The stored
 * report is read defensively: a field of the wrong shape is left out. Pure: no DOM.
 */

export const REPORT_FIELDS = [
  'kind',
  'urgency',
  'caseReference',
  'investigatingUnit',
  'incidentAt',
  'victimType',
  'topic',
  'observables',
  'unrecognisedObservables',
] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];

/** How a field's value is written: as typed, as a time in the user's zone, as one of our words, or as a list. */
export type ReportValue =
  | { readonly field: ReportField; readonly kind: 'text'; readonly text: string }
  | { readonly field: ReportField; readonly kind: 'time'; readonly iso: string }
  | { readonly field: ReportField; readonly kind: 'word'; readonly word: string }
  | { readonly field: ReportField; readonly kind: 'list'; readonly items: string[] };

/** Fields whose value is one of the broker's words (translated), and which list of words. */
const WORD_FIELDS: Partial<Record<ReportField, 'reportKind' | 'urgency' | 'victim'>> = {
  kind: 'reportKind',
  urgency: 'urgency',
  victimType: 'victim',
};

function valueOf(field: ReportField, raw: unknown): ReportValue | null {
  if (field === 'observables' || field === 'unrecognisedObservables') {
    if (!Array.isArray(raw)) return null;
    const items = raw.filter((entry): entry is string => typeof entry === 'string');
    return items.length ? { field, kind: 'list', items } : null;
  }
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  const words = WORD_FIELDS[field];
  if (words) return { field, kind: 'word', word: `${words}.${raw}` };
  if (field === 'incidentAt') return { field, kind: 'time', iso: raw };
  return { field, kind: 'text', text: raw };
}

export function reportValues(report: Readonly<Record<string, unknown>> | null): ReportValue[] {
  if (!report) return [];
  return REPORT_FIELDS.flatMap((field) => {
    const value = valueOf(field, report[field]);
    return value ? [value] : [];
  });
}
