/**
 * The reporting forms (POST /reports) as the console fills them in: the form's state, the request
 * it becomes, what the form checks before sending, where the API's field problems are shown, and
 * how each observable line will be read. Pure: no DOM, no React.
 */
import {
  canonicalIndicatorValue,
  classifyIndicator,
  refang,
  REPORT_KINDS,
  REPORT_URGENCIES,
  type IndicatorType,
  type ReportKind,
} from '@tlp-broker/domain';
import type { FieldProblem, Schemas } from '../../api/client';
import { fromLocalInput } from '../../i18n/format';

export { REPORT_KINDS, REPORT_URGENCIES };
export type { ReportKind };

type ReportDto = Schemas['ReportDto'];
export type VictimType = NonNullable<ReportDto['victimType']>;

// Every victim type the API knows, checked by the compiler against its schema.
const VICTIMS: Record<VictimType, true> = {
  individual: true,
  company: true,
  'public-body': true,
  association: true,
  other: true,
};
export const VICTIM_TYPES = Object.keys(VICTIMS) as VictimType[];

export interface ReportForm {
  kind: ReportKind;
  title: string;
  /** '' until the sender chooses: a label is never defaulted. */
  tlp: string;
  /** '' for no PAP label. */
  pap: string;
  urgency: string;
  description: string;
  caseReference: string;
  investigatingUnit: string;
  /** As typed in a datetime-local field, in the user's time zone. */
  incidentAt: string;
  /** '' until chosen. */
  victimType: string;
  /** One observable a line. */
  observables: string;
  topic: string;
  /** A report taken by phone: the organisation it came from, and the contact who called ('' for none). */
  organisationId: string;
  contactId: string;
}

/** The form's controls, named as the API names the request's fields. */
export const REPORT_FIELDS = [
  'organisationId',
  'contactId',
  'title',
  'tlp',
  'pap',
  'caseReference',
  'investigatingUnit',
  'incidentAt',
  'victimType',
  'observables',
  'topic',
  'description',
  'urgency',
] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];

/** Only an investigation-incident form has these; only a support request has a topic. */
const INCIDENT_FIELDS: readonly ReportField[] = [
  'caseReference',
  'investigatingUnit',
  'incidentAt',
  'victimType',
  'observables',
];

export function fieldsOf(kind: ReportKind, staff: boolean): ReportField[] {
  return REPORT_FIELDS.filter((field) => {
    if (field === 'organisationId' || field === 'contactId') return staff;
    if (INCIDENT_FIELDS.includes(field)) return kind === 'investigation-incident';
    if (field === 'topic') return kind === 'support-request';
    return true;
  });
}

export function emptyReportForm(kind: ReportKind): ReportForm {
  return {
    kind,
    title: '',
    tlp: '',
    pap: '',
    urgency: 'normal',
    description: '',
    caseReference: '',
    investigatingUnit: '',
    incidentAt: '',
    victimType: '',
    observables: '',
    topic: '',
    organisationId: '',
    contactId: '',
  };
}

/** The observables, one a line: blank lines left out, each line as written (trimmed). */
export function observableLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export interface ObservableReading {
  /** The line as written (and as it is sent: the broker keeps it). */
  line: string;
  /** How the broker will read it, refanged and in canonical spelling; null when it is not an indicator. */
  indicator: { type: IndicatorType; value: string } | null;
}

/** Each observable line as the broker reads it: refanged (`hxxp`, `[.]`, `[@]`…), classified, or not recognised. */
export function readObservables(text: string): ObservableReading[] {
  return observableLines(text).map((line) => {
    const value = refang(line).trim();
    const type = classifyIndicator(value);
    return { line, indicator: type ? { type, value: canonicalIndicatorValue(type, value) } : null };
  });
}

/**
 * A date and time typed in `timeZone`, written with that zone's offset at that moment
 * (`2026-11-30T22:15:00+01:00`): the report keeps the time as the sender gave it. Null when the text
 * is not a date and time.
 */
export function withZoneOffset(local: string, timeZone: string): string | null {
  const instant = fromLocalInput(local, timeZone);
  if (!instant) return null;
  const [date, time] = local.split('T');
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = time.split(':').map(Number);
  const offset = Math.round((Date.UTC(y, mo - 1, d, h, mi) - instant.getTime()) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local}:00${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** What the form finds before sending anything: a required field left empty, a date that cannot be read. */
export interface FormProblem {
  field: ReportField;
  problem: 'required' | 'unreadableDate';
}

const OPTIONAL: readonly ReportField[] = ['pap', 'observables', 'contactId'];

/** The fields of this form left empty (or unreadable), in the form's order. */
export function formProblems(form: ReportForm, staff: boolean, timeZone: string): FormProblem[] {
  return fieldsOf(form.kind, staff).flatMap((field): FormProblem[] => {
    if (OPTIONAL.includes(field)) return [];
    if (form[field].trim() === '') return [{ field, problem: 'required' }];
    if (field === 'incidentAt' && !withZoneOffset(form.incidentAt, timeZone))
      return [{ field, problem: 'unreadableDate' }];
    return [];
  });
}

/** The body of POST /reports; values the API cannot take (a label not chosen) are sent as they are, for the API to name. */
export type ReportRequest = Omit<ReportDto, 'tlp' | 'pap' | 'urgency' | 'victimType'> & {
  tlp: string;
  pap?: string;
  urgency: string;
  victimType?: string;
};

/** The request the form stands for: only the fields of its kind, and the sender only for a report taken by phone. */
export function buildReportRequest(form: ReportForm, staff: boolean, timeZone: string): ReportRequest {
  const body: ReportRequest = {
    kind: form.kind,
    title: form.title.trim(),
    tlp: form.tlp,
    description: form.description,
    urgency: form.urgency,
  };
  if (form.pap) body.pap = form.pap;
  if (form.kind === 'investigation-incident') {
    body.caseReference = form.caseReference.trim();
    body.investigatingUnit = form.investigatingUnit.trim();
    body.incidentAt = withZoneOffset(form.incidentAt, timeZone) ?? form.incidentAt;
    body.victimType = form.victimType;
    const observables = observableLines(form.observables);
    if (observables.length > 0) body.observables = observables;
  } else {
    body.topic = form.topic.trim();
  }
  if (staff) {
    body.organisationId = form.organisationId;
    if (form.contactId) body.contactId = form.contactId;
  }
  return body;
}

export interface PlacedProblems {
  /** The API's words per control, in the order it gave them. */
  fields: Partial<Record<ReportField, string[]>>;
  /** Problems about no control of the form (shown at the top only). */
  other: FieldProblem[];
}

/** The API's `details` laid out on the form: `observables.3` and `observables[3]` are the observables' control. */
export function placeReportProblems(
  details: readonly FieldProblem[],
  form: ReportForm,
  staff: boolean,
): PlacedProblems {
  const shown = fieldsOf(form.kind, staff);
  const placed: PlacedProblems = { fields: {}, other: [] };
  for (const problem of details) {
    const [first] = problem.field.split(/[.[]/);
    const field = shown.find((candidate) => candidate === first);
    if (field) (placed.fields[field] ??= []).push(problem.message);
    else placed.other.push(problem);
  }
  return placed;
}

type OrganisationView = Schemas['OrganisationView'];

/** Organisations a report can come from: the active ones, by name. */
export function reportingOrganisations(organisations: readonly OrganisationView[]): OrganisationView[] {
  return organisations
    .filter((organisation) => organisation.status === 'active')
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The contacts of the chosen organisation who may have called: the active ones, by name. */
export function callingContacts(organisation: OrganisationView | undefined): OrganisationView['contacts'] {
  if (!organisation) return [];
  return organisation.contacts
    .filter((contact) => contact.status === 'active')
    .sort((a, b) => a.name.localeCompare(b.name));
}
