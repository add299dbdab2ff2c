import type { Schemas } from '../../api/client';
import { StateBadge } from '../../components/common';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { lastOutcome, nextPoll } from './feed-form';
import { FeedActions, intervalText } from './FeedActions';
import { partnerFeedsMessages } from './messages';

type PartnerFeedView = Schemas['PartnerFeedView'];

function NextPoll({ feed, now }: { feed: PartnerFeedView; now: number }) {
  const t = useMessages(partnerFeedsMessages);
  const date = useDateTime();
  const next = nextPoll(feed, now);
  if (next.state === 'suspended') return <>{t('whenReinstated')}</>;
  if (next.state === 'polling') return <>{t('pollingNow')}</>;
  if (next.state === 'due') return <>{t('dueNow')}</>;
  return <>{date(next.at)}</>;
}

function LastError({ feed }: { feed: PartnerFeedView }) {
  const t = useMessages(partnerFeedsMessages);
  const outcome = lastOutcome(feed);
  if (outcome.state === 'error') return <span className="warning">{outcome.error}</span>;
  return <>{outcome.state === 'ok' ? t('noError') : t('notPolledYet')}</>;
}

function FeedRow(props: { feed: PartnerFeedView; now: number; isAdmin: boolean; onOutcome(sentence: string): void }) {
  const { feed, now, isAdmin, onOutcome } = props;
  const t = useMessages(partnerFeedsMessages);
  const date = useDateTime();
  return (
    <tr>
      <th scope="row">{feed.name}</th>
      <td>{feed.organisation}</td>
      <td>{t(`kind_${feed.kind}`)}</td>
      <td>
        <code className="feeds-url">{feed.url}</code>
        {feed.hasAuthorization && <span className="hint"> — {t('withAuthorization')}</span>}
      </td>
      <td>{intervalText(t, feed.intervalSeconds)}</td>
      <td>
        <StateBadge state={`feed-${feed.status}`} label={t(`status_${feed.status}`)} />
      </td>
      <td>{feed.lastPolledAt ? date(feed.lastPolledAt) : t('never')}</td>
      <td>
        <NextPoll feed={feed} now={now} />
      </td>
      <td>
        <LastError feed={feed} />
      </td>
      <td>{t('taken', { taken: feed.submissions.taken, rejected: feed.submissions.rejected })}</td>
      {isAdmin && (
        <td>
          <FeedActions feed={feed} onOutcome={onOutcome} />
        </td>
      )}
    </tr>
  );
}

/** The feeds, one a row, with an administrator's actions. */
export function FeedTable(props: {
  feeds: PartnerFeedView[];
  now: number;
  isAdmin: boolean;
  onOutcome(sentence: string): void;
}) {
  const { feeds, now, isAdmin, onOutcome } = props;
  const t = useMessages(partnerFeedsMessages);
  return (
    <>
      <p role="status" aria-live="polite">
        {feeds.length === 0 ? t('none') : feeds.length === 1 ? t('countOne') : t('countMany', { count: feeds.length })}
      </p>
      {feeds.length > 0 && (
        <table className="feeds-table">
          <caption>{t('caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('name')}</th>
              <th scope="col">{t('organisation')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('url')}</th>
              <th scope="col">{t('interval')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('lastPolled')}</th>
              <th scope="col">{t('nextPoll')}</th>
              <th scope="col">{t('lastError')}</th>
              <th scope="col">{t('submissions')}</th>
              {isAdmin && <th scope="col">{t('actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {feeds.map((feed) => (
              <FeedRow key={feed.id} feed={feed} now={now} isAdmin={isAdmin} onOutcome={onOutcome} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
