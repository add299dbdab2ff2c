import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { api, Schemas, unwrap } from '../../api/client';
import { ErrorMessage, Loading, PageTitle } from '../../components/common';
import { PapBadge, TlpBadge } from '../../components/labels';
import { useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { useSession } from '../../session/session';
import { refreshInterval } from './delivery-progress';
import { ItemAcknowledgements } from './ItemAcknowledgements';
import { ItemAudit } from './ItemAudit';
import { ItemRecipients, RecallNotices } from './ItemRecipients';
import { ItemVersions } from './ItemVersions';
import { fieldMessages, itemMessages } from './messages';
import { PublishDraft } from './PublishDraft';
import { RetractItem } from './RetractItem';
import { ItemStateBadge, wordFor } from './words';

/**
 * One item: its versions, who may receive it and how far each delivery went (watched live while
 * anything is on its way), the recall notices sent after an update or a retraction, and its audit
 * trail; analysts update it, analysts and approvers retract it.
 */
export function ItemPage() {
  const t = useMessages(itemMessages);
  const { id = '' } = useParams();
  const path = { params: { path: { id } } };
  const [watching, setWatching] = useState<number | false>(false);
  const live = { refetchInterval: watching };
  const item = useRead(['item', id], () => unwrap(api.GET('/items/{id}', path)), live);
  const decisions = useRead(['item', id, 'decisions'], () => unwrap(api.GET('/items/{id}/decisions', path)), live);
  const recalls = useRead(
    ['item', id, 'recalls'],
    () => unwrap(api.GET('/deliveries', { params: { query: { item: id, kind: 'recall', limit: 1000 } } })),
    live,
  );
  const versions = useRead(['item', id, 'versions'], () => unwrap(api.GET('/items/{id}/versions', path)), live);

  const next = refreshInterval(
    item.data && decisions.data && recalls.data
      ? {
          state: item.data.state,
          routed: decisions.data.routed,
          deliveryStates: [
            ...decisions.data.decisions.flatMap((decision) => (decision.delivery ? [decision.delivery.state] : [])),
            ...recalls.data.map((recall) => recall.state),
          ],
        }
      : undefined,
  );
  if (next !== watching) setWatching(next);
  useFinalRead(id, watching);

  if (!item.data) {
    return (
      <>
        <PageTitle title={t('item')} />
        {item.error ? <ErrorMessage error={item.error} /> : <Loading />}
      </>
    );
  }
  const current = versions.data?.find((version) => version.version === item.data.version);
  return (
    <>
      <ItemHeader item={item.data} author={current?.author.name ?? null} />
      <ItemActions item={item.data} />
      <section aria-labelledby="item-versions">
        <h2 id="item-versions">{t('versions')}</h2>
        <ErrorMessage error={versions.error} />
        {versions.data ? <ItemVersions versions={versions.data} current={item.data.version} /> : <Loading />}
      </section>
      <ItemRecipients item={item.data} decisions={decisions.data} error={decisions.error} />
      <RecallNotices recalls={recalls.data} error={recalls.error} />
      <ItemAcknowledgements id={id} refetchInterval={watching} />
      <ItemAudit id={id} refetchInterval={watching} />
    </>
  );
}

/**
 * Once everything settled, every part of the page is read once more: the reads of one round are
 * not taken at the same instant, and the last change (a recall marking a delivery recalled) may
 * have fallen between them.
 */
function useFinalRead(id: string, watching: number | false) {
  const client = useQueryClient();
  const wasWatching = useRef(false);
  useEffect(() => {
    if (watching === false && wasWatching.current) void client.invalidateQueries({ queryKey: ['item', id] });
    wasWatching.current = watching !== false;
  }, [client, id, watching]);
}

function ItemHeader({ item, author }: { item: Schemas['ItemView']; author: string | null }) {
  const t = useMessages(itemMessages);
  const words = useMessages(fieldMessages);
  const date = useDateTime();
  return (
    <PageTitle title={item.title}>
      <p className="item-facts">
        <TlpBadge label={item.tlp} /> <PapBadge label={item.pap} /> <ItemStateBadge state={item.state} />{' '}
        <span>{t('versionN', { version: item.version })}</span> <span>{wordFor(words, 'type', item.type)}</span>
        {author && <span>{t('byAuthor', { name: author })}</span>}
        {item.releaseAt && <span>{t('embargoUntil', { time: date(item.releaseAt) })}</span>}
      </p>
    </PageTitle>
  );
}

function ItemActions({ item }: { item: Schemas['ItemView'] }) {
  const t = useMessages(itemMessages);
  const { hasRole } = useSession();
  const canUpdate = hasRole('analyst') && item.state === 'published';
  // Kept once the draft is published: it then says what became of it.
  const [wasDraft] = useState(item.state === 'draft');
  const canPublish = hasRole('analyst') && wasDraft;
  // Kept once the item is retracted: it then shows what the retraction did.
  const mayRetract = hasRole('analyst', 'approver');
  if (!canUpdate && !canPublish && !mayRetract) return null;
  return (
    <div className="item-actions" role="group" aria-label={t('actions')}>
      {canPublish && <PublishDraft item={item} />}
      {canUpdate && (
        <Link className="item-button-link" to={`/items/${item.id}/update`}>
          {t('update')}
        </Link>
      )}
      {mayRetract && <RetractItem item={item} />}
    </div>
  );
}
