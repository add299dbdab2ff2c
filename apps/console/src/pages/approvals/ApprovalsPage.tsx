import { useEffect, useRef, useState } from 'react';
import { api, Schemas, unwrap } from '../../api/client';
import { ErrorMessage, Loading, PageTitle } from '../../components/common';
import { TlpBadge } from '../../components/labels';
import { useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { useSession } from '../../session/session';
import { approvalsMessages } from './messages';
import { ReviewPanel } from './ReviewPanel';

/** The queue is read again this often, so that items submitted or released by others show up. */
const QUEUE_REFRESH_MS = 10_000;

/**
 * Four eyes: the items waiting for a second person, and for the one chosen, what changed since the
 * version last released, with Approve and Reject (never offered to the version's author).
 */
export function ApprovalsPage() {
  const t = useMessages(approvalsMessages);
  const { hasRole } = useSession();
  if (!hasRole('approver')) {
    return (
      <>
        <PageTitle title={t('approvals')} />
        <p>{t('approversOnly')}</p>
      </>
    );
  }
  return <ApprovalQueue />;
}

function ApprovalQueue() {
  const t = useMessages(approvalsMessages);
  const queue = useRead(
    ['items', { state: 'pending-approval' }],
    () => unwrap(api.GET('/items', { params: { query: { state: 'pending-approval', limit: 500 } } })),
    { refetchInterval: QUEUE_REFRESH_MS },
  );
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const outcomeRef = useRef<HTMLParagraphElement>(null);
  const selected = queue.data?.find((item) => item.id === selectedId) ?? null;

  useEffect(() => {
    if (outcome) outcomeRef.current?.focus();
  }, [outcome]);

  function decided(sentence: string) {
    setSelectedId(null);
    setOutcome(sentence);
  }

  return (
    <>
      <PageTitle title={t('approvals')} />
      <p role="status" aria-live="polite" ref={outcomeRef} tabIndex={-1} className={outcome ? 'notice' : undefined}>
        {outcome}
      </p>
      <div className="approvals-layout">
        <section aria-labelledby="approvals-queue" className="approvals-queue">
          <h2 id="approvals-queue">{t('queue')}</h2>
          <ErrorMessage error={queue.error} />
          {queue.data ? (
            <Queue
              items={queue.data}
              selectedId={selected?.id ?? null}
              onSelect={(id) => {
                setOutcome(null);
                setSelectedId(id);
              }}
            />
          ) : (
            !queue.error && <Loading />
          )}
        </section>
        <div className="approvals-review">
          {selected ? (
            <ReviewPanel key={selected.id} item={selected} onDecided={decided} />
          ) : (
            queue.data && queue.data.length > 0 && <p className="hint">{t('chooseOne')}</p>
          )}
        </div>
      </div>
    </>
  );
}

function Queue(props: {
  items: Schemas['ItemSummaryView'][];
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  const t = useMessages(approvalsMessages);
  const date = useDateTime();
  const { items } = props;
  return (
    <>
      <p role="status" aria-live="polite">
        {items.length === 0
          ? t('queueEmpty')
          : items.length === 1
            ? t('queueOne')
            : t('queueMany', { count: items.length })}
      </p>
      {items.length > 0 && (
        <ul className="items-plain approvals-list" aria-label={t('queueLabel')}>
          {items.map((item) => (
            <li key={item.id}>
              <button type="button" aria-pressed={item.id === props.selectedId} onClick={() => props.onSelect(item.id)}>
                <span className="approvals-title">{item.title}</span>
                <span className="approvals-meta">
                  <TlpBadge label={item.tlp} />{' '}
                  {t('queueEntry', { version: item.version, name: item.author.name, time: date(item.updatedAt) })}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
