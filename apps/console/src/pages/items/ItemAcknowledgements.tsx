import { api, unwrap } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/common';
import { useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { defineMessages, useMessages } from '../../i18n/i18n';

const messages = defineMessages({
  en: {
    acknowledgements: 'Acknowledgements',
    none: 'This item asks no acknowledgement: it is not urgent, or it reached no one.',
    progress: '{acknowledged} acknowledged, {waiting} waiting.',
    label: 'Acknowledgement by each recipient organisation',
    partner: 'Partner',
    deliveredAt: 'Delivered at',
    acknowledgedAt: 'Acknowledged at',
    by: 'By',
    via: 'How',
    waiting: 'Waiting',
    escalation: 'Escalation',
    'via.feed': 'feed API',
    'via.link': 'one-time link',
    'via.signed-reply': 'signed reply',
    'step.0': 'none yet; next at {at}',
    'step.1': 're-sent to its on-call channels; duty officer at {at}',
    'step.1.done': 're-sent to its on-call channels',
    'step.2': "re-sent, and the team's duty officer told",
    minutes: '{minutes} min',
  },
  fr: {
    acknowledgements: 'Accusés de lecture',
    none: "Cet élément ne demande pas d'accusé de lecture : il n'est pas urgent, ou n'a atteint personne.",
    progress: '{acknowledged} accusé(s) de lecture, {waiting} en attente.',
    label: 'Accusé de lecture de chaque organisation destinataire',
    partner: 'Partenaire',
    deliveredAt: 'Remis le',
    acknowledgedAt: 'Accusé le',
    by: 'Par',
    via: 'Comment',
    waiting: 'Attente',
    escalation: 'Escalade',
    'via.feed': 'API du flux',
    'via.link': 'lien à usage unique',
    'via.signed-reply': 'réponse signée',
    'step.0': 'aucune encore ; prochaine le {at}',
    'step.1': "renvoyé à ses canaux d'astreinte ; officier de permanence le {at}",
    'step.1.done': "renvoyé à ses canaux d'astreinte",
    'step.2': "renvoyé, et l'officier de permanence de l'équipe prévenu",
    minutes: '{minutes} min',
  },
});

/** Per recipient organisation of an urgent item: delivered at, acknowledged at, by whom and how, or how long it waits. */
export function ItemAcknowledgements({ id, refetchInterval }: { id: string; refetchInterval: number | false }) {
  const t = useMessages(messages);
  const date = useDateTime();
  const view = useRead(
    ['item', id, 'acknowledgements'],
    () => unwrap(api.GET('/items/{id}/acknowledgements', { params: { path: { id } } })),
    { refetchInterval },
  );
  if (!view.data) return view.error ? <ErrorMessage error={view.error} /> : <Loading />;
  const { recipients } = view.data;
  return (
    <section aria-labelledby="item-acknowledgements">
      <h2 id="item-acknowledgements">{t('acknowledgements')}</h2>
      <p role="status" className="item-progress">
        {recipients.length === 0
          ? t('none')
          : t('progress', { acknowledged: view.data.acknowledged, waiting: view.data.waiting })}
      </p>
      {recipients.length > 0 && (
        <div className="items-scroll">
          <table aria-label={t('label')}>
            <thead>
              <tr>
                {(['partner', 'deliveredAt', 'acknowledgedAt', 'by', 'via', 'waiting', 'escalation'] as const).map(
                  (column) => (
                    <th scope="col" key={column}>
                      {t(column)}
                    </th>
                  ),
                )}
              </tr>
            </thead>
            <tbody>
              {recipients.map((recipient) => (
                <tr key={recipient.organisationId}>
                  <th scope="row">{recipient.organisation}</th>
                  <td>{date(recipient.deliveredAt)}</td>
                  <td>{date(recipient.acknowledgedAt)}</td>
                  <td>{recipient.acknowledgedBy ?? '—'}</td>
                  <td>{recipient.via ? t(`via.${recipient.via}`) : '—'}</td>
                  <td>
                    {recipient.waitingSeconds === null
                      ? '—'
                      : t('minutes', { minutes: Math.floor(recipient.waitingSeconds / 60) })}
                  </td>
                  <td>{escalation(recipient, t, date)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function escalation(
  recipient: { escalationStep: number; nextStepAt: string | null },
  t: (key: 'step.0' | 'step.1' | 'step.1.done' | 'step.2', values?: Record<string, string | number>) => string,
  date: (value: string | null) => string,
): string {
  if (recipient.escalationStep >= 2) return t('step.2');
  if (recipient.nextStepAt === null) return recipient.escalationStep === 1 ? t('step.1.done') : '—';
  return t(recipient.escalationStep === 1 ? 'step.1' : 'step.0', { at: date(recipient.nextStepAt) });
}
