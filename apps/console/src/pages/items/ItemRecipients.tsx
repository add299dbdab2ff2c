import { Schemas } from '../../api/client';
import { ErrorMessage, Loading, StateBadge } from '../../components/common';
import { useDateTime } from '../../i18n/format';
import { Translate, useMessages } from '../../i18n/i18n';
import { DeliveryProgress, deliveryProgress, progressSentence } from './delivery-progress';
import { fieldMessages, itemMessages } from './messages';
import { DeliveryStateBadge, wordFor } from './words';

type ItemWord = keyof typeof itemMessages.en;

/** "12 of 14 delivered, 2 queued", in the user's words. */
function useProgressWords(): (progress: DeliveryProgress) => string {
  const t = useMessages(itemMessages);
  const words = useMessages(fieldMessages);
  return (progress) =>
    progressSentence(progress, {
      delivered: (delivered, total) => t('progressDelivered', { delivered, total }),
      state: (state, count) => {
        const key = `progress.${state}`;
        return key in itemMessages.en
          ? t(key as ItemWord, { count })
          : t('progressOther', { count, state: wordFor(words, 'delivery', state) });
      },
    });
}

/** Why nothing was sent yet, when the current version was not routed. */
function notRoutedSentence(t: Translate<ItemWord>, item: Schemas['ItemView'], date: (value: string) => string): string {
  switch (item.state) {
    case 'pending-approval':
      return t('waitingApproval');
    case 'scheduled':
      return t('waitingEmbargo', { time: item.releaseAt ? date(item.releaseAt) : '—' });
    case 'draft':
      return t('draftNotSent');
    case 'retracted':
      return t('retractedUnrouted');
    default:
      return t('routing');
  }
}

/** Each partner channel's decision for the current version, joined with its delivery's progress. */
export function ItemRecipients(props: {
  item: Schemas['ItemView'];
  decisions: Schemas['DecisionsView'] | undefined;
  error: unknown;
}) {
  const t = useMessages(itemMessages);
  const date = useDateTime();
  const sentence = useProgressWords();
  const { decisions } = props;
  const states = decisions?.decisions.flatMap((d) => (d.delivery ? [d.delivery.state] : [])) ?? [];
  const allowed = decisions?.decisions.filter((d) => d.allow).length ?? 0;
  return (
    <section aria-labelledby="item-recipients">
      <h2 id="item-recipients">{t('recipients')}</h2>
      <ErrorMessage error={props.error} />
      <p role="status" aria-live="polite" className="item-progress">
        {decisions && (decisions.routed ? sentence(deliveryProgress(states)) : notRoutedSentence(t, props.item, date))}
      </p>
      {!decisions ? (
        !props.error && <Loading />
      ) : decisions.decisions.length === 0 ? (
        decisions.routed && <p>{t('noDecisions')}</p>
      ) : (
        <>
          <p className="hint">{t('decisionCount', { allowed, withheld: decisions.decisions.length - allowed })}</p>
          <DecisionsTable decisions={decisions.decisions} />
        </>
      )}
    </section>
  );
}

function DecisionsTable({ decisions }: { decisions: Schemas['DecisionView'][] }) {
  const t = useMessages(itemMessages);
  const date = useDateTime();
  return (
    <div className="items-scroll">
      <table aria-label={t('recipientsLabel')} className="item-recipients">
        <thead>
          <tr>
            <th scope="col">{t('partner')}</th>
            <th scope="col">{t('channel')}</th>
            <th scope="col">{t('decision')}</th>
            <th scope="col">{t('key')}</th>
            <th scope="col">{t('delivery')}</th>
            <th scope="col">{t('attempts')}</th>
            <th scope="col">{t('lastError')}</th>
            <th scope="col">{t('deliveredAt')}</th>
          </tr>
        </thead>
        <tbody>
          {decisions.map((decision) => (
            <tr key={`${decision.organisationId}/${decision.channelId}`}>
              <th scope="row">
                {decision.organisation}
                {decision.contact && <> — {decision.contact}</>}
              </th>
              <td>{decision.channel}</td>
              <td>
                <StateBadge
                  state={decision.allow ? 'allowed' : 'withheld'}
                  label={decision.allow ? t('allowed') : t('withheld')}
                />{' '}
                {decision.reason}
                {decision.handling && <span className="hint"> {t('handling', { handling: decision.handling })}</span>}
              </td>
              <td>{decision.keyFingerprint ? <Fingerprint value={decision.keyFingerprint} /> : '—'}</td>
              <td>{decision.delivery ? <DeliveryStateBadge state={decision.delivery.state} /> : '—'}</td>
              <td>{decision.delivery?.attempts ?? '—'}</td>
              <td className="item-last-error">{decision.delivery?.lastError ?? '—'}</td>
              <td>{date(decision.delivery?.deliveredAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A key fingerprint in groups of four, as people compare them. */
export function Fingerprint({ value }: { value: string }) {
  return <span className="mono item-fingerprint">{value.replace(/(.{4})(?=.)/g, '$1 ')}</span>;
}

/** The recall notices sent to earlier recipients (after an update narrowed the audience, or a retraction). */
export function RecallNotices({
  recalls,
  error,
}: {
  recalls: Schemas['DeliveryRecordView'][] | undefined;
  error: unknown;
}) {
  const t = useMessages(itemMessages);
  const date = useDateTime();
  const sentence = useProgressWords();
  return (
    <section aria-labelledby="item-recalls">
      <h2 id="item-recalls">{t('recalls')}</h2>
      <ErrorMessage error={error} />
      <p role="status" aria-live="polite" className="item-progress">
        {recalls &&
          (recalls.length === 0
            ? t('noRecalls')
            : t('recallsProgress', { summary: sentence(deliveryProgress(recalls.map((r) => r.state))) }))}
      </p>
      {recalls && recalls.length > 0 && (
        <div className="items-scroll">
          <table aria-label={t('recallsLabel')} className="item-recalls">
            <thead>
              <tr>
                <th scope="col">{t('partner')}</th>
                <th scope="col">{t('channel')}</th>
                <th scope="col">{t('versionRecalled')}</th>
                <th scope="col">{t('recallReason')}</th>
                <th scope="col">{t('delivery')}</th>
                <th scope="col">{t('attempts')}</th>
                <th scope="col">{t('lastError')}</th>
                <th scope="col">{t('deliveredAt')}</th>
              </tr>
            </thead>
            <tbody>
              {recalls.map((recall) => (
                <tr key={recall.id}>
                  <th scope="row">
                    {recall.organisation}
                    {recall.contact && <> — {recall.contact}</>}
                  </th>
                  <td>{recall.channel}</td>
                  <td>{recall.version}</td>
                  <td>{recall.reason ?? '—'}</td>
                  <td>
                    <DeliveryStateBadge state={recall.state} />
                  </td>
                  <td>{recall.attempts}</td>
                  <td className="item-last-error">{recall.lastError ?? '—'}</td>
                  <td>{date(recall.deliveredAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
