import { ErrorMessage, Loading } from '../../components/common';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { summariseDetails } from '../items/audit-summary';
import { submissionMessages } from './messages';
import type { AuditEvent } from './submission-words';

/** Its audit trail, oldest first: how it came in, was acknowledged, triaged and answered, and by whom. */
export function SubmissionAudit({ events, error }: { events: AuditEvent[] | undefined; error: Error | null }) {
  const t = useMessages(submissionMessages);
  const date = useDateTime();
  return (
    <section aria-labelledby="submission-audit">
      <h2 id="submission-audit">{t('auditHeading')}</h2>
      <ErrorMessage error={error} />
      {!events ? (
        !error && <Loading />
      ) : events.length === 0 ? (
        <p>{t('noAudit')}</p>
      ) : (
        <div className="items-scroll">
          <table className="item-audit">
            <caption>{t('auditCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('auditTime')}</th>
                <th scope="col">{t('auditActor')}</th>
                <th scope="col">{t('auditAction')}</th>
                <th scope="col">{t('auditDetails')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.seq}>
                  <td className="items-nowrap">{date(event.at)}</td>
                  <td>{event.actor}</td>
                  <td className="mono">{event.action}</td>
                  <td>
                    {summariseDetails(event.details, date)
                      .map((part) => `${part.key}: ${part.value}`)
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
