import { PageTitle } from '../../components/common';
import { useMessages } from '../../i18n/i18n';
import { useSession } from '../../session/session';
import { AuditVerification } from './AuditVerification';
import { DeadLetters } from './DeadLetters';
import { operationsMessages } from './messages';
import { QueueDepths } from './QueueDepths';

/** bull-board, served by the API beside the console for administrators' sessions: a page of its own. */
function QueueDashboardLink() {
  const t = useMessages(operationsMessages);
  return (
    <p className="hint">
      <a href="/admin/queues/">{t('queueDashboard')}</a> — {t('queueDashboardHint')}
    </p>
  );
}

/** Queue depths (and a link to the queue dashboard), dead letters and the audit-trail check, for administrators. */
export function OperationsPage() {
  const t = useMessages(operationsMessages);
  const { hasRole } = useSession();
  if (!hasRole('admin'))
    return (
      <>
        <PageTitle title={t('title')} />
        <p role="alert">{t('adminsOnly')}</p>
      </>
    );
  return (
    <>
      <PageTitle title={t('title')} />
      <QueueDepths />
      <QueueDashboardLink />
      <DeadLetters />
      <AuditVerification />
    </>
  );
}
