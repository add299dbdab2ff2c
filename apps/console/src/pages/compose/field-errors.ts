/**
 * The API names the fields it refuses with paths of the request (`audience.organisations`,
 * `indicators.2.value`, `provenance.label`…); the form shows each message on the control it concerns,
 * in the API's words. Pure: no DOM.
 */
import type { FieldProblem } from '../../api/client';

/** The form's controls that the API's fields map to. */
export const FORM_FIELDS = [
  'type',
  'title',
  'summary',
  'severity',
  'body',
  'indicators',
  'tlp',
  'pap',
  'caveats',
  'audience',
  'communities',
  'organisations',
  'contacts',
  'originator',
  'originatorLabel',
  'consentReference',
  'consentAudience',
  'consentCommunities',
  'consentOrganisations',
  'consentContacts',
  'releaseAt',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export type IndicatorColumn = 'type' | 'value' | 'description';

/** Where an API field problem is shown: on a form control, on an indicator row's cell, or only at the top. */
export type Placement =
  | { kind: 'field'; field: FormField }
  | { kind: 'indicator'; index: number; column: IndicatorColumn }
  | { kind: 'form' };

/** A field the API named, with its words (the client's own type). */
export type { FieldProblem };

const BY_PATH: Record<string, FormField> = {
  type: 'type',
  title: 'title',
  summary: 'summary',
  severity: 'severity',
  body: 'body',
  indicators: 'indicators',
  tlp: 'tlp',
  pap: 'pap',
  caveats: 'caveats',
  audience: 'audience',
  'audience.communities': 'communities',
  'audience.organisations': 'organisations',
  'audience.contacts': 'contacts',
  provenance: 'originator',
  'provenance.originator': 'originator',
  'provenance.label': 'originatorLabel',
  'provenance.consent': 'consentReference',
  'provenance.consent.reference': 'consentReference',
  'provenance.consent.audience': 'consentAudience',
  'provenance.consent.audience.communities': 'consentCommunities',
  'provenance.consent.audience.organisations': 'consentOrganisations',
  'provenance.consent.audience.contacts': 'consentContacts',
  releaseAt: 'releaseAt',
};

/** `indicators[2].value` and `indicators.2.value` alike become `indicators.2.value`. */
export function normalisePath(path: string): string {
  return path.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

/** Where the API's `field` is shown on the form. */
export function placeField(path: string): Placement {
  const normal = normalisePath(path);
  const indicator = /^indicators\.(\d+)(?:\.(type|value|description))?/.exec(normal);
  if (indicator)
    return { kind: 'indicator', index: Number(indicator[1]), column: (indicator[2] ?? 'value') as IndicatorColumn };
  // The closest control: `provenance.consent.audience.organisations.0` is the consent's organisations list.
  const segments = normal.split('.');
  for (let length = segments.length; length > 0; length -= 1) {
    const field = BY_PATH[segments.slice(0, length).join('.')];
    if (field) return { kind: 'field', field };
  }
  return { kind: 'form' };
}

/** A problem placed on the form; `index` of an indicator is the row's position in the request. */
export interface PlacedProblem extends FieldProblem {
  placement: Placement;
}

export interface FormErrors {
  /** Messages per form control, in the order the API gave them. */
  fields: Partial<Record<FormField, string[]>>;
  /** Messages per indicator row (by its position in the request) and column. */
  indicators: Record<number, Partial<Record<IndicatorColumn, string[]>>>;
  /** Every problem in the API's order, placed: what the summary at the top lists. */
  all: PlacedProblem[];
}

export const NO_ERRORS: FormErrors = { fields: {}, indicators: {}, all: [] };

/** The API's `details` laid out on the form. */
export function placeProblems(details: readonly FieldProblem[]): FormErrors {
  const errors: FormErrors = { fields: {}, indicators: {}, all: [] };
  for (const problem of details) {
    const placement = placeField(problem.field);
    errors.all.push({ ...problem, placement });
    if (placement.kind === 'field') {
      (errors.fields[placement.field] ??= []).push(problem.message);
    } else if (placement.kind === 'indicator') {
      const row = (errors.indicators[placement.index] ??= {});
      (row[placement.column] ??= []).push(problem.message);
    }
  }
  return errors;
}

/**
 * The API's problems with `first` (the form's own checks, in the API's field paths) put ahead of them;
 * what the API says about a control that `first` already speaks for is left out, so it is not said twice.
 */
export function withProblems(errors: FormErrors, first: readonly FieldProblem[]): FormErrors {
  if (first.length === 0) return errors;
  const taken = new Set(first.map((problem) => JSON.stringify(placeField(problem.field))));
  const api = errors.all.filter((problem) => !taken.has(JSON.stringify(problem.placement)));
  return placeProblems([...first, ...api.map(({ field, message }) => ({ field, message }))]);
}

/** The messages on one control joined as one sentence list, or null when there are none. */
export function messagesFor(errors: FormErrors, field: FormField): string | null {
  const messages = errors.fields[field];
  return messages && messages.length > 0 ? messages.join('; ') : null;
}
