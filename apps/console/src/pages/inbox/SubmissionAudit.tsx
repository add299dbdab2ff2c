import { ErrorMessage, Loading } from '../../components/common';
import { useMessages } from '../../i18n/i18n';
import { AuditEventsTable } from '../items/AuditEventsTable';
import { submissionMessages } from './messages';
import type { AuditEvent } from './submission-words';

/** Its audit trail, oldest first: how it came in, was acknowledged, triaged and answered, and by whom. */
export function SubmissionAudit({ events, error }: { events: AuditEvent[] | undefined; error: Error | null }) {
  const t = useMessages(submissionMessages);
  return (
    <section aria-labelledby="submission-audit">
      <h2 id="submission-audit">{t('auditHeading')}</h2>
      <ErrorMessage error={error} />
      {!events ? (
        !error && <Loading />
      ) : events.length === 0 ? (
        <p>{t('noAudit')}</p>
      ) : (
        <AuditEventsTable
          events={events}
          caption={t('auditCaption')}
          headings={{
            time: t('auditTime'),
            actor: t('auditActor'),
            action: t('auditAction'),
            details: t('auditDetails'),
          }}
        />
      )}
    </section>
  );
}
