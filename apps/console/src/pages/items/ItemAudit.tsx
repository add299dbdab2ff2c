import { api, unwrap } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/common';
import { useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { summariseDetails } from './audit-summary';
import { itemMessages } from './messages';

/** How many events of the trail the page shows (the API's largest page). */
const AUDIT_LIMIT = 1000;

/** The item's audit trail, oldest first: who did what, and each delivery's and recall's outcome. */
export function ItemAudit({ id, refetchInterval }: { id: string; refetchInterval: number | false }) {
  const t = useMessages(itemMessages);
  const date = useDateTime();
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
        <div className="items-scroll">
          <table aria-label={t('auditLabel')} className="item-audit">
            <thead>
              <tr>
                <th scope="col">{t('time')}</th>
                <th scope="col">{t('actor')}</th>
                <th scope="col">{t('action')}</th>
                <th scope="col">{t('details')}</th>
              </tr>
            </thead>
            <tbody>
              {events.data.map((event) => (
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
