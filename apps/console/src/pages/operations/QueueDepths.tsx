import { api, unwrap } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/common';
import { useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { OperationsKey, operationsMessages } from './messages';
import { queueTotals } from './operations-summary';

const COLUMNS = ['waiting', 'active', 'delayed', 'failed', 'completed', 'paused'] as const;

/** GET /operations/queues every 5 seconds; the totals sentence is announced when it changes. */
export function QueueDepths() {
  const t = useMessages(operationsMessages);
  const date = useDateTime();
  const queues = useRead(['operations', 'queues'], () => unwrap(api.GET('/operations/queues')), {
    refetchInterval: 5_000,
  });
  const name = (queue: string) => {
    const key = `queue_${queue}` as OperationsKey;
    return operationsMessages.en[key] ? t(key) : queue;
  };
  return (
    <section aria-labelledby="queues-title">
      <h2 id="queues-title">{t('queues')}</h2>
      <ErrorMessage error={queues.error} />
      {queues.isPending && <Loading />}
      {queues.data && (
        <>
          <p aria-live="polite">{t('queueTotals', { ...queueTotals(queues.data) })}</p>
          <table className="operations-queues">
            <caption>{t('queuesCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('queue')}</th>
                {COLUMNS.map((column) => (
                  <th scope="col" key={column} className="operations-number">
                    {t(column)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {queues.data.map((queue) => (
                <tr key={queue.name}>
                  <th scope="row">{name(queue.name)}</th>
                  {COLUMNS.map((column) => (
                    <td key={column} className="operations-number">
                      {queue[column]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">{t('updatedAt', { time: date(new Date(queues.dataUpdatedAt)) })}</p>
        </>
      )}
    </section>
  );
}
