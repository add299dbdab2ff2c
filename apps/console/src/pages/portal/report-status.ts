/** A report's status as its sender reads it. Pure: no DOM, no React. */
import type { Schemas } from '../../api/client';
import type { Translate } from '../../i18n/i18n';
import type { PortalMessage } from './messages';

type ReportStatusView = Schemas['ReportStatusView'];

/** Where a report stands, in words: received, in triage, item published, closed (with the reason, when given). */
export function statusWords(
  t: Translate<PortalMessage>,
  report: Pick<ReportStatusView, 'status' | 'closedReason'>,
): string {
  if (report.status === 'closed' && report.closedReason)
    return t('closedBecause', { reason: t(`reason_${report.closedReason}`) });
  return t(`status_${report.status}`);
}

/** What a report is: its form, or the way it came in when it was no form. */
export function kindWords(t: Translate<PortalMessage>, report: Pick<ReportStatusView, 'kind' | 'source'>): string {
  return report.kind ? t(`kind_${report.kind}`) : t(`source_${report.source}`);
}
