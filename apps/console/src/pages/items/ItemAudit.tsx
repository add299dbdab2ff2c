import { api, unwrap } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/common';
import { useRead } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import { AuditEventsTable } from './AuditEventsTable';
import { itemMessages } from './messages';

/** How many events of the trail the page shows (the API's largest page). */
const AUDIT_LIMIT = 1000;

/** The item's audit trail, oldest first: who did what, and each delivery's and recall's outcome. */
export function ItemAudit({ id, refetchInterval }: { id: string; refetchInterval: number | false }) {
  const t = useMessages(itemMessages);
  const events = useRead(
    ['item', id, 'audit'],
    () => unwrap(api.GET('/items/{id}/audit', { params: { path: { id }, query: { limit: AUDIT_LIMIT } } })),
    { refetchInterval },
  );
  return (
    <section aria-labelledby="item-audit">
      <h2 id="item-audit">{t('audit')}</h2>
      <ErrorMessage error={events.error} />
      {!events.data ? (
        !events.error && <Loading />
      ) : events.data.length === 0 ? (
        <p>{t('noAudit')}</p>
      ) : (
        <AuditEventsTable
          events={events.data}
          ariaLabel={t('auditLabel')}
          headings={{ time: t('time'), actor: t('actor'), action: t('action'), details: t('details') }}
        />
      )}
    </section>
  );
}
