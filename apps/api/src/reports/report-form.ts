import {
  canonicalIndicatorValue,
  classifyIndicator,
  extractIndicators,
  refang,
  type ReportKind,
  type ReportUrgency,
} from '@tlp-broker/domain';
import type { ExtractedIndicator } from '@tlp-broker/persistence';
import type { PapLabel, TlpLabel } from '@tlp-broker/tlp';
import type { FieldProblem } from '../common/errors';
import { MAX_EXTRACTED_INDICATORS } from '../submissions/submission-text';
import type { ReportDto } from './reports.dto';

/** Who the victim of an incident is. */
export const VICTIM_TYPES = ['individual', 'company', 'public-body', 'association', 'other'] as const;
export type VictimType = (typeof VICTIM_TYPES)[number];

/** The fields only one kind of form has: the other kind refuses them. */
const OWN_FIELDS: Readonly<Record<ReportKind, readonly (keyof ReportDto)[]>> = {
  'investigation-incident': ['caseReference', 'investigatingUnit', 'incidentAt', 'victimType', 'observables'],
  'support-request': ['topic'],
};

/** A reporting form's fields as validated and stored (`report`), labels in TLP 2.0 spelling. */
export type ReportFields = {
  readonly title: string;
  readonly tlp: TlpLabel;
  readonly pap: PapLabel | null;
  readonly description: string;
  readonly urgency: ReportUrgency;
} & (
  | {
      readonly kind: 'investigation-incident';
      readonly caseReference: string;
      readonly investigatingUnit: string;
      readonly incidentAt: string;
      readonly victimType: VictimType;
      readonly observables: readonly string[];
      /** Observables no indicator type was recognised in: kept in the report, for a person to read. */
      readonly unrecognisedObservables: readonly string[];
    }
  | { readonly kind: 'support-request'; readonly topic: string }
);

/** The fields of the other kind of form sent with this one: each refused, by name. */
export function foreignFields(dto: ReportDto): FieldProblem[] {
  return (Object.keys(OWN_FIELDS) as ReportKind[])
    .filter((kind) => kind !== dto.kind)
    .flatMap((kind) => OWN_FIELDS[kind])
    .filter((field) => dto[field] !== undefined)
    .map((field) => ({ field, message: `${field} is not a field of the ${dto.kind} form` }));
}

/** The form's fields to store, and the indicators in them: each observable refanged and classified, and those in the description. */
export function readReport(
  dto: ReportDto,
  labels: { tlp: TlpLabel; pap: PapLabel | null },
): { fields: ReportFields; indicators: ExtractedIndicator[] } {
  const common = { title: dto.title.trim(), ...labels, description: dto.description, urgency: dto.urgency };
  const found = new Map<string, ExtractedIndicator>();
  const add = (indicator: ExtractedIndicator) => {
    if (found.size < MAX_EXTRACTED_INDICATORS) found.set(`${indicator.type}:${indicator.value}`, indicator);
  };
  if (dto.kind === 'support-request') {
    extractIndicators(dto.description, MAX_EXTRACTED_INDICATORS).forEach(({ type, value }) => add({ type, value }));
    return {
      fields: { ...common, kind: 'support-request', topic: dto.topic!.trim() },
      indicators: [...found.values()],
    };
  }
  const observables = (dto.observables ?? []).map((line) => line.trim());
  const unrecognised: string[] = [];
  for (const line of observables) {
    const value = refang(line).trim();
    const type = classifyIndicator(value);
    if (type) add({ type, value: canonicalIndicatorValue(type, value) });
    else unrecognised.push(line);
  }
  extractIndicators(dto.description, MAX_EXTRACTED_INDICATORS).forEach(({ type, value }) => add({ type, value }));
  const fields: ReportFields = {
    ...common,
    kind: 'investigation-incident',
    caseReference: dto.caseReference!.trim(),
    investigatingUnit: dto.investigatingUnit!.trim(),
    incidentAt: dto.incidentAt!,
    victimType: dto.victimType!,
    observables,
    unrecognisedObservables: unrecognised,
  };
  return { fields, indicators: [...found.values()] };
}

const HEADINGS: Readonly<Record<ReportKind, string>> = {
  'investigation-incident': 'Incident related to an on-going investigation',
  'support-request': 'Request for technical support',
};

/** The form as a person reads it: what triage shows, and the body of an item drafted from it. */
export function renderReport(fields: ReportFields): string {
  const lines = [
    `${HEADINGS[fields.kind]}: ${fields.title}`,
    `Label: ${fields.tlp}${fields.pap ? ` ${fields.pap}` : ''}`,
    `Urgency: ${fields.urgency}`,
  ];
  if (fields.kind === 'support-request') lines.push(`Topic: ${fields.topic}`);
  else {
    lines.push(
      `Case reference: ${fields.caseReference}`,
      `Investigating unit: ${fields.investigatingUnit}`,
      `Incident date and time: ${fields.incidentAt}`,
      `Victim type: ${fields.victimType}`,
    );
  }
  lines.push('', 'Description:', fields.description.trim());
  if (fields.kind === 'investigation-incident' && fields.observables.length > 0) {
    const unrecognised = new Set(fields.unrecognisedObservables);
    lines.push(
      '',
      'Observables:',
      ...fields.observables.map(
        (line) => `- ${line}${unrecognised.has(line) ? ' (not recognised as an indicator)' : ''}`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
