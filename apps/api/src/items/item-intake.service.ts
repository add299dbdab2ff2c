import { Injectable } from '@nestjs/common';
import type { Audience, Indicator, ItemKind, Severity } from '@tlp-broker/domain';
import { OrganisationRepository, StoredProvenance } from '@tlp-broker/persistence';
import { checkIndicator } from '@tlp-broker/stix';
import { checkIntake, LabelParseResult, PapLabel, parsePapLabel, parseTlpLabel, TlpLabel } from '@tlp-broker/tlp';
import { StaffPrincipal } from '../auth/principal';
import { CaveatsService } from '../caveats/caveats.service';
import { FieldProblem, invalidFields } from '../common/errors';
import { AudienceDto, CreateItemDto, IndicatorDto, ProvenanceDto } from './items.dto';

/** An item version as checked at intake, ready to be stored or previewed. */
export interface Draft {
  kind: ItemKind;
  title: string;
  summary: string;
  body: string;
  tlp: TlpLabel;
  pap: PapLabel | null;
  severity: Severity | null;
  audience: Audience;
  caveats: string[];
  indicators: Indicator[];
  provenance: StoredProvenance | null;
  releaseAt: Date | null;
}

/** The labels of a request, read in every accepted spelling. */
interface Labels {
  tlp: TlpLabel;
  pap: PapLabel | null;
  provenance: TlpLabel | null;
}

/**
 * Turns a request into a draft: labels normalised, the audience, caveats, provenance and
 * indicators checked against the rules and against what is registered. Nothing is written.
 */
@Injectable()
export class ItemIntakeService {
  constructor(
    private readonly organisations: OrganisationRepository,
    private readonly caveats: CaveatsService,
  ) {}

  /** Normalises and checks a draft; every problem is answered at once, naming its field. */
  async draft(dto: CreateItemDto, actor: StaffPrincipal): Promise<Draft> {
    const draft = draftOf(dto, parseLabels(dto), actor, new Date());
    const problems: FieldProblem[] = checkIntake(draft);
    // A refusal for defence-secret marking stands alone: nothing else about such a draft matters.
    const secret = problems.filter((problem) => problem.message.includes('national defence secret'));
    if (secret.length > 0) throw invalidFields(secret);
    problems.push(...(await this.checkReferences('audience', draft.audience)));
    const consent = draft.provenance?.consent;
    if (consent) problems.push(...(await this.checkReferences('provenance.consent.audience', consent.audience)));
    problems.push(...(await this.checkCaveats(draft.caveats)));
    const indicators = checkIndicators(dto.indicators ?? []);
    problems.push(...indicators.problems);
    if (problems.length > 0) throw invalidFields(problems);
    return { ...draft, indicators: indicators.indicators };
  }

  /** The audience must name partners and communities that exist. */
  private async checkReferences(field: string, audience: Audience): Promise<FieldProblem[]> {
    const problems: FieldProblem[] = [];
    const organisations = unknown(
      audience.organisations,
      await this.organisations.knownOrganisations(audience.organisations),
    );
    if (organisations.length > 0)
      problems.push({ field: `${field}.organisations`, message: `unknown organisation ${organisations.join(', ')}` });
    const contacts = unknown(audience.contacts, await this.organisations.knownContacts(audience.contacts));
    if (contacts.length > 0)
      problems.push({ field: `${field}.contacts`, message: `unknown contact ${contacts.join(', ')}` });
    const communities = unknown(
      audience.communities,
      await this.organisations.communitiesWithMembers(audience.communities),
    );
    if (communities.length > 0)
      problems.push({ field: `${field}.communities`, message: `no partner belongs to ${quoted(communities)}` });
    return problems;
  }

  private async checkCaveats(caveats: string[]): Promise<FieldProblem[]> {
    const names = await this.caveats.unknown(caveats);
    if (names.length === 0) return [];
    const message = `unknown caveat ${quoted(names)} (an administrator registers caveats under /caveats)`;
    return [{ field: 'caveats', message }];
  }
}

/** The item's, the PAP and the originator's labels; a 400 naming every one that is not a label. */
function parseLabels(dto: CreateItemDto): Labels {
  const tlp = parseTlpLabel(dto.tlp);
  const pap = dto.pap === undefined ? null : parsePapLabel(dto.pap);
  const provenance = dto.provenance ? parseTlpLabel(dto.provenance.label) : null;
  const problems = [
    ...labelProblem('tlp', tlp),
    ...labelProblem('pap', pap),
    ...labelProblem('provenance.label', provenance),
  ];
  if (!tlp.ok || problems.length > 0) throw invalidFields(problems);
  return { tlp: tlp.label, pap: pap?.ok ? pap.label : null, provenance: provenance?.ok ? provenance.label : null };
}

function labelProblem<T>(field: string, parsed: LabelParseResult<T> | null): FieldProblem[] {
  return parsed && !parsed.ok ? [{ field, message: parsed.error }] : [];
}

function draftOf(dto: CreateItemDto, labels: Labels, actor: StaffPrincipal, now: Date): Draft {
  return {
    kind: dto.type,
    title: dto.title,
    summary: dto.summary ?? '',
    body: dto.body,
    tlp: labels.tlp,
    pap: labels.pap,
    severity: dto.severity ?? null,
    audience: audienceOf(dto.audience),
    caveats: dto.caveats ?? [],
    indicators: [],
    releaseAt: dto.releaseAt ? new Date(dto.releaseAt) : null,
    provenance:
      dto.provenance && labels.provenance ? provenanceOf(dto.provenance, labels.provenance, actor, now) : null,
  };
}

/** The originator, its label, and its consent to a wider audience recorded as given by `actor` now. */
function provenanceOf(dto: ProvenanceDto, label: TlpLabel, actor: StaffPrincipal, now: Date): StoredProvenance {
  const consent = dto.consent;
  return {
    originator: dto.originator.trim(),
    label,
    consent: consent
      ? {
          audience: audienceOf(consent.audience),
          reference: consent.reference.trim(),
          recordedBy: `user:${actor.userId}`,
          recordedAt: now.toISOString(),
        }
      : null,
  };
}

function audienceOf(dto: AudienceDto | undefined): Audience {
  return {
    communities: dto?.communities ?? [],
    organisations: dto?.organisations ?? [],
    contacts: dto?.contacts ?? [],
  };
}

/** Each indicator checked for its type and written canonically; duplicates dropped. */
function checkIndicators(input: IndicatorDto[]): { indicators: Indicator[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const indicators: Indicator[] = [];
  const seen = new Set<string>();
  input.forEach((indicator, index) => {
    const checked = checkIndicator(indicator.type, indicator.value);
    if (!checked.ok) {
      problems.push({ field: `indicators.${index}.value`, message: checked.error });
      return;
    }
    const key = `${indicator.type}:${checked.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    indicators.push({
      type: indicator.type,
      value: checked.value,
      ...(indicator.description ? { description: indicator.description.trim() } : {}),
    });
  });
  return { indicators, problems };
}

function unknown(names: readonly string[], known: ReadonlySet<string>): string[] {
  return names.filter((name) => !known.has(name));
}

function quoted(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}
