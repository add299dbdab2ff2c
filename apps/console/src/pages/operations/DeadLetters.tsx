import { Link } from 'react-router-dom';
import { api, Schemas, unwrap } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/common';
import { TlpBadge } from '../../components/labels';
import { useChange, useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { operationsMessages } from './messages';

type DeliveryRecordView = Schemas['DeliveryRecordView'];

const DEAD_KEY = ['deliveries', 'dead'];

function recipientOf(delivery: DeliveryRecordView): string {
  return delivery.contact ? `${delivery.organisation} — ${delivery.contact}` : delivery.organisation;
}

function RetryButton({ delivery }: { delivery: DeliveryRecordView }) {
  const t = useMessages(operationsMessages);
  const retry = useChange(
    () => unwrap(api.POST('/deliveries/{id}/retry', { params: { path: { id: delivery.id } } })),
    [DEAD_KEY, ['operations', 'queues']],
  );
  return (
    <>
      <button type="button" disabled={retry.isPending} onClick={() => retry.mutate(undefined)}>
        {retry.isPending ? t('retrying') : t('retry')}
        <span className="visually-hidden">
          {' '}
          {recipientOf(delivery)}, {delivery.channel}
        </span>
      </button>
      <ErrorMessage error={retry.error} />
    </>
  );
}

function DeadRow({ delivery }: { delivery: DeliveryRecordView }) {
  const t = useMessages(operationsMessages);
  const date = useDateTime();
  return (
    <tr>
      <th scope="row">
        <Link to={`/items/${delivery.itemId}`}>
          {t('itemVersion', { type: delivery.itemType, version: delivery.version })}
        </Link>{' '}
        <TlpBadge label={delivery.tlp} />
        {delivery.kind === 'recall' && <> ({t('recall')})</>}
      </th>
      <td>{recipientOf(delivery)}</td>
      <td>{delivery.channel}</td>
      <td className="operations-number">{delivery.attempts}</td>
      <td className="operations-error">{delivery.lastError ?? '—'}</td>
      <td>{date(delivery.updatedAt)}</td>
      <td>
        <RetryButton delivery={delivery} />
      </td>
    </tr>
  );
}

/** GET /deliveries?state=dead, refreshed every 5 seconds and after each retry. */
export function DeadLetters() {
  const t = useMessages(operationsMessages);
  const dead = useRead(DEAD_KEY, () => unwrap(api.GET('/deliveries', { params: { query: { state: 'dead' } } })), {
    refetchInterval: 5_000,
  });
  return (
    <section aria-labelledby="dead-title">
      <h2 id="dead-title">{t('deadLetters')}</h2>
      <p className="hint">{t('deadLettersHint')}</p>
      <ErrorMessage error={dead.error} />
      {dead.isPending && <Loading />}
      {dead.data && (
        <>
          <p aria-live="polite">
            {dead.data.length === 0
              ? t('noDead')
              : dead.data.length === 1
                ? t('deadCountOne')
                : t('deadCount', { count: dead.data.length })}
          </p>
          {dead.data.length > 0 && (
            <table className="operations-dead">
              <caption>{t('deadCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('item')}</th>
                  <th scope="col">{t('recipient')}</th>
                  <th scope="col">{t('channel')}</th>
                  <th scope="col" className="operations-number">
                    {t('attempts')}
                  </th>
                  <th scope="col">{t('lastError')}</th>
                  <th scope="col">{t('time')}</th>
                  <th scope="col">{t('actions')}</th>
                </tr>
              </thead>
              <tbody>
                {dead.data.map((delivery) => (
                  <DeadRow key={delivery.id} delivery={delivery} />
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
