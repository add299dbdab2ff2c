import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorMessage, Loading, PageTitle } from '../../components/common';
import { useRead } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import { AttachmentsSection, ContentSection, IndicatorsSection } from './SubmissionContent';
import { LabelSection, SenderSection } from './SubmissionFacts';
import { MessagesSection } from './SubmissionMessages';
import { SubmissionAudit } from './SubmissionAudit';
import { SubmissionStatus } from './parts';
import { submissionMessages, inboxWords } from './messages';
import { TriageActions } from './TriageActions';
import type { SubmissionDetail } from './submission-words';
import './inbox.css';

/** How many events of the trail the page shows (the API's largest page). */
const AUDIT_LIMIT = 1000;

/**
 * One submission in full, for triage: who sent it and how that is known, its label, what it says
 * (as plain text, never rendered), its indicators and attachments (downloads only), what was sent
 * back, its audit trail, and the analysts' steps.
 */
export function SubmissionPage() {
  const t = useMessages(submissionMessages);
  const { id = '' } = useParams();
  const path = { params: { path: { id } } };
  const detail = useRead(['submission', id], () => unwrap(api.GET('/submissions/{id}', path)));
  const audit = useRead(['submission', id, 'audit'], () =>
    unwrap(api.GET('/submissions/{id}/audit', { params: { path: { id }, query: { limit: AUDIT_LIMIT } } })),
  );

  if (!detail.data) {
    return (
      <>
        <BackToInbox />
        <PageTitle title={t('submission')} />
        {detail.error ? <ErrorMessage error={detail.error} /> : <Loading />}
      </>
    );
  }
  const submission = detail.data;
  return (
    <>
      <BackToInbox />
      <SubmissionHeader submission={submission} />
      <SenderSection submission={submission} audit={audit.data} />
      <LabelSection submission={submission} />
      <TriageActions submission={submission} />
      <ContentSection submission={submission} />
      <IndicatorsSection submission={submission} />
      <AttachmentsSection submission={submission} />
      <MessagesSection submission={submission} />
      <SubmissionAudit events={audit.data} error={audit.error} />
    </>
  );
}

function BackToInbox() {
  const t = useMessages(submissionMessages);
  return (
    <p className="inbox-back">
      <Link to="/inbox">{t('backToInbox')}</Link>
    </p>
  );
}

function SubmissionHeader({ submission }: { submission: SubmissionDetail }) {
  const t = useMessages(submissionMessages);
  const words = useMessages(inboxWords);
  const title = submission.title ?? words('noTitle');
  return (
    <PageTitle title={submission.reference ? `${submission.reference}: ${title}` : title}>
      <p className="item-facts">
        <SubmissionStatus submission={submission} />
        <span>{t('cameBy', { source: words(`source.${submission.source}`) })}</span>
        {submission.reportKind && <span>{words(`reportKind.${submission.reportKind}`)}</span>}
        {submission.itemId && (
          <Link to={`/items/${submission.itemId}`} className="inbox-item-link">
            {t('openItem')}
          </Link>
        )}
      </p>
    </PageTitle>
  );
}
