/**
 * The compose form's state and the request it becomes (POST /items, PUT /items/:id and
 * POST /items/preview take the same body). Pure: no DOM, no React.
 */
import type { IndicatorType, PastedIndicator } from './indicators';

// The vocabulary is the broker's own, defined once in libs/domain and libs/tlp.
export { ITEM_KINDS, SEVERITIES } from '@tlp-broker/domain';
export { PAP_LABELS, TLP_LABELS } from '@tlp-broker/tlp/labels';

export interface IndicatorRow {
  /** Stable while the row lives (React key, and how an API error finds its row). */
  key: number;
  type: IndicatorType;
  value: string;
  description: string;
}

export interface ComposeForm {
  type: string;
  title: string;
  summary: string;
  /** '' when none is chosen. */
  severity: string;
  body: string;
  indicators: IndicatorRow[];
  /** '' until the analyst chooses: a label is never defaulted. */
  tlp: string;
  /** '' for no PAP label. */
  pap: string;
  caveats: string[];
  communities: string[];
  organisations: string[];
  contacts: string[];
  /** Derived from a partner's material: provenance is sent. */
  derived: boolean;
  originator: string;
  originatorLabel: string;
  /** Where the originator's written consent is recorded; '' when there is none (no consent is sent). */
  consentReference: string;
  /** Whom the originator agreed the broker may share with: its own choice, never the item's audience. */
  consentAudience: Audience;
  /** The embargo as typed in a datetime-local field, in the user's time zone; '' for none. */
  releaseAt: string;
}

/** Communities, organisations (ids) and named contacts (ids): an item's audience, or whom an originator agreed to. */
export interface Audience {
  communities: string[];
  organisations: string[];
  contacts: string[];
}

/** The body of POST /items, PUT /items/:id and POST /items/preview (CreateItemDto). */
export interface ItemRequest {
  type: string;
  title: string;
  summary?: string;
  body: string;
  tlp: string;
  pap?: string;
  severity?: string;
  audience: Audience;
  releaseAt?: string;
  caveats: string[];
  indicators: { type: string; value: string; description?: string }[];
  provenance?: {
    originator: string;
    label: string;
    consent?: { audience: Audience; reference: string };
  };
}

export interface BuiltRequest {
  body: ItemRequest;
  /** The key of the table row each indicator of the request comes from, by position in the request. */
  indicatorRows: number[];
}

let lastRowKey = 0;

export function newIndicatorRow(indicator: Partial<PastedIndicator> = {}): IndicatorRow {
  lastRowKey += 1;
  return {
    key: lastRowKey,
    type: indicator.type ?? 'ipv4',
    value: indicator.value ?? '',
    description: indicator.description ?? '',
  };
}

export function emptyForm(): ComposeForm {
  return {
    type: 'advisory',
    title: '',
    summary: '',
    severity: '',
    body: '',
    indicators: [],
    tlp: '',
    pap: '',
    caveats: [],
    communities: [],
    organisations: [],
    contacts: [],
    derived: false,
    originator: '',
    originatorLabel: '',
    consentReference: '',
    consentAudience: { communities: [], organisations: [], contacts: [] },
    releaseAt: '',
  };
}

/**
 * The request the form stands for. `toInstant` reads the embargo in the user's zone (an ISO 8601
 * instant, or null when the text is not a date and time: then it is sent as typed, for the API to
 * name the field). Rows with neither value nor description are left out: a row just added is not an error.
 */
export function buildRequest(form: ComposeForm, toInstant: (local: string) => string | null): BuiltRequest {
  const rows = form.indicators.filter((row) => row.value.trim() !== '' || row.description.trim() !== '');
  const audience = { communities: form.communities, organisations: form.organisations, contacts: form.contacts };
  const body: ItemRequest = {
    type: form.type,
    title: form.title,
    body: form.body,
    tlp: form.tlp,
    audience,
    caveats: form.caveats,
    indicators: rows.map((row) => ({
      type: row.type,
      value: row.value,
      ...(row.description.trim() ? { description: row.description } : {}),
    })),
  };
  if (form.summary.trim()) body.summary = form.summary;
  if (form.severity) body.severity = form.severity;
  if (form.pap) body.pap = form.pap;
  if (form.releaseAt) body.releaseAt = toInstant(form.releaseAt) ?? form.releaseAt;
  if (form.derived) {
    body.provenance = {
      originator: form.originator,
      label: form.originatorLabel,
      ...(hasConsentReference(form)
        ? { consent: { audience: { ...form.consentAudience }, reference: form.consentReference } }
        : {}),
    };
  }
  return { body, indicatorRows: rows.map((row) => row.key) };
}

function hasConsentReference(form: ComposeForm): boolean {
  return form.consentReference.trim() !== '';
}

/** What is missing from the originator's consent, by the request field it concerns (the API's paths). */
export interface ConsentProblem {
  field: 'provenance.consent.audience' | 'provenance.consent.reference';
  problem: 'consentAudienceMissing' | 'consentReferenceMissing';
}

/**
 * A consent is a reference and whom it covers, both or neither: a reference naming nobody, or an
 * audience with no reference (which would not be sent), is a problem shown before anything is sent.
 */
export function consentProblems(form: ComposeForm): ConsentProblem[] {
  if (!form.derived) return [];
  const { communities, organisations, contacts } = form.consentAudience;
  const named = communities.length + organisations.length + contacts.length > 0;
  if (hasConsentReference(form) && !named)
    return [{ field: 'provenance.consent.audience', problem: 'consentAudienceMissing' }];
  if (!hasConsentReference(form) && named)
    return [{ field: 'provenance.consent.reference', problem: 'consentReferenceMissing' }];
  return [];
}

/**
 * The request for the live preview: an unwritten title or body is stood in for, so the analyst sees
 * who would receive the item from the first choices on (who receives it does not depend on the words).
 */
export function previewRequest(built: BuiltRequest, standIn: string): BuiltRequest {
  const { body } = built;
  return {
    ...built,
    body: { ...body, title: body.title.trim() ? body.title : standIn, body: body.body.trim() ? body.body : standIn },
  };
}

type ReadonlyAudience = { readonly [list in keyof Audience]: readonly string[] };

function copyAudience(audience: ReadonlyAudience): Audience {
  return {
    communities: [...audience.communities],
    organisations: [...audience.organisations],
    contacts: [...audience.contacts],
  };
}

/** A stored version, as GET /items/:id/versions gives it, for the fields the form edits. */
export interface StoredVersion {
  title: string;
  summary: string;
  body: string;
  tlp: string;
  pap: string | null;
  severity: string | null;
  audience: ReadonlyAudience;
  caveats: readonly string[];
  indicators: readonly { type: string; value: string; description?: string }[];
  provenance: {
    originator: string;
    label: string;
    consent: { reference: string; audience: ReadonlyAudience } | null;
  } | null;
  releaseAt: string | null;
}

/** The form filled from the version an update starts from; `toLocal` writes the embargo in the user's zone. */
export function formFromVersion(
  type: string,
  version: StoredVersion,
  toLocal: (instant: string) => string,
): ComposeForm {
  // A stored consent is loaded as it is, to be sent back unchanged unless the analyst edits it.
  const consent = version.provenance?.consent ?? null;
  return {
    type,
    title: version.title,
    summary: version.summary,
    severity: version.severity ?? '',
    body: version.body,
    indicators: version.indicators.map((indicator) =>
      newIndicatorRow({
        type: indicator.type as IndicatorType,
        value: indicator.value,
        description: indicator.description ?? '',
      }),
    ),
    tlp: version.tlp,
    pap: version.pap ?? '',
    caveats: [...version.caveats],
    ...copyAudience(version.audience),
    derived: version.provenance !== null,
    originator: version.provenance?.originator ?? '',
    originatorLabel: version.provenance?.label ?? '',
    consentReference: consent?.reference ?? '',
    consentAudience: copyAudience(consent?.audience ?? { communities: [], organisations: [], contacts: [] }),
    releaseAt: version.releaseAt ? toLocal(version.releaseAt) : '',
  };
}
