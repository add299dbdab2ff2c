import type { ReportUrgency, Severity } from '@tlp-broker/domain';
import type { ListedSubmission } from '@tlp-broker/persistence';
import { checkIndicator } from '@tlp-broker/stix';
import type { CreateItemDto, IndicatorDto } from '../items/items.dto';
import { readableBody } from './readable-body';
import { titleOf } from './submission-text';
import type { DraftItemDto } from './submissions.dto';

/** The most indicators an item takes (CreateItemDto). */
const MAX_ITEM_INDICATORS = 5_000;
const MAX_ITEM_TITLE = 300;
const MAX_ORIGINATOR = 200;

const SEVERITY_OF_URGENCY: Readonly<Record<ReportUrgency, Severity>> = {
  low: 'low',
  normal: 'medium',
  high: 'high',
  critical: 'critical',
};

/**
 * The item an analyst drafts from a submission, as a request to the items' intake (which checks
 * it like any other): its content as the body — the words of structured material, not its JSON —
 * unless the analyst wrote one for the recipients,
 * the indicators found in it, and the submission's
 * label — never a lower one — with the provenance filled in, so that the policy engine passes it
 * on only as far as the source's label lets the team share (or as far as the sender consented to).
 */
export function itemRequestOf(listed: ListedSubmission, dto: DraftItemDto): CreateItemDto {
  const row = listed.submission;
  if (!row.tlp) throw new Error(`submission ${row.id} has no label`);
  const urgency = row.report?.urgency as ReportUrgency | undefined;
  return {
    type: dto.type ?? 'advisory',
    title: dto.title ?? titleOf(row.title ?? '', MAX_ITEM_TITLE) ?? `Report ${row.reference ?? row.id}`,
    ...(dto.summary ? { summary: dto.summary } : {}),
    body:
      dto.body ??
      (row.source === 'taxii' || row.source === 'feed' ? readableBody(row.content ?? '') : (row.content ?? '')),
    tlp: row.tlp,
    ...(row.pap ? { pap: row.pap } : {}),
    ...(urgency && urgency in SEVERITY_OF_URGENCY ? { severity: SEVERITY_OF_URGENCY[urgency] } : {}),
    ...(dto.audience ? { audience: dto.audience } : {}),
    indicators: itemIndicators(listed),
    provenance: {
      originator: originatorOf(listed),
      label: row.tlp,
      ...(row.consent
        ? {
            consent: {
              audience: {
                communities: [...row.consent.audience.communities],
                organisations: [...row.consent.audience.organisations],
                contacts: [...row.consent.audience.contacts],
              },
              reference: row.consent.reference,
            },
          }
        : {}),
    },
  };
}

/** Who the material came from, as the item's provenance names it: the proven organisation, or what the e-mail claimed. */
export function originatorOf(listed: ListedSubmission): string {
  const row = listed.submission;
  const claimed =
    row.status === 'verified' && listed.organisation
      ? listed.organisation
      : `unverified sender${row.fromAddress ? ` ${row.fromAddress}` : ''}`;
  return titleOf(claimed, MAX_ORIGINATOR) ?? 'unverified sender';
}

/** The indicators found in the submission that an item can carry (each checked as the items' intake checks them). */
function itemIndicators(listed: ListedSubmission): IndicatorDto[] {
  return listed.submission.indicators
    .filter((indicator) => checkIndicator(indicator.type, indicator.value).ok)
    .slice(0, MAX_ITEM_INDICATORS)
    .map(({ type, value }) => ({ type, value }));
}
