import { forwardRef } from 'react';
import type { Schemas } from '../../api/client';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { portalMessages } from './messages';

interface Props {
  receipt: Schemas['ReportReceiptView'];
  /** A team member entered it: the reference is for the caller. */
  staff: boolean;
}

/** The reference of the report just sent, written large, and whether an acknowledgement is on its way. */
export const ReportReceipt = forwardRef<HTMLDivElement, Props>(function ReportReceipt({ receipt, staff }, ref) {
  const t = useMessages(portalMessages);
  const date = useDateTime();
  const queued = receipt.acknowledgement === 'queued';
  return (
    <div className="notice portal-receipt" ref={ref} tabIndex={-1} aria-labelledby="portal-receipt-title">
      <h2 id="portal-receipt-title">{t('reportSent')}</h2>
      <p className="portal-reference-line" data-testid="report-reference">
        {staff ? t('callerReference') : t('yourReference')}{' '}
        <strong className="mono portal-reference">{receipt.reference}</strong> — {staff ? t('giveIt') : t('quoteIt')}
      </p>
      <p>{t('receivedAt', { when: date(receipt.receivedAt) })}</p>
      <p>{queued ? t(staff ? 'ackQueuedStaff' : 'ackQueued') : t(staff ? 'ackNoneStaff' : 'ackNone')}</p>
    </div>
  );
});
