import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorMessage, Loading, PageTitle } from '../../components/common';
import { useRead } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import { useSession } from '../../session/session';
import { AddFeedForm } from './AddFeedForm';
import { FEEDS_KEY } from './FeedActions';
import { FeedTable } from './FeedTable';
import { partnerFeedsMessages } from './messages';

/** Read again this often: polls, their errors and what they brought in change without anyone here acting. */
const REFRESH_MS = 5_000;

/**
 * /partner-feeds: partners' own feeds the dispatcher polls; administrators add them, poll them now,
 * suspend or reinstate them and change their interval, the others follow them.
 */
export function PartnerFeedsPage() {
  const t = useMessages(partnerFeedsMessages);
  const { hasRole } = useSession();
  const isAdmin = hasRole('admin');
  const feeds = useRead(FEEDS_KEY, () => unwrap(api.GET('/partner-feeds')), { refetchInterval: REFRESH_MS });
  // What was just done, announced; focused after adding a feed (the form it was typed in is emptied),
  // not after a row's action (focus stays on its button).
  const [outcome, setOutcome] = useState<{ sentence: string; focus: boolean } | null>(null);
  const outcomeRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (outcome?.focus) outcomeRef.current?.focus();
  }, [outcome]);
  return (
    <>
      <PageTitle title={t('title')} />
      <p className="hint">{t('intro')}</p>
      {!isAdmin && <p>{t('readOnly')}</p>}
      <p role="status" aria-live="polite" ref={outcomeRef} tabIndex={-1} className={outcome ? 'notice' : undefined}>
        {outcome?.sentence}
      </p>
      <ErrorMessage error={feeds.error} />
      {feeds.isPending ? (
        <Loading />
      ) : (
        feeds.data && (
          <FeedTable
            feeds={feeds.data}
            now={feeds.dataUpdatedAt}
            isAdmin={isAdmin}
            onOutcome={(sentence) => setOutcome({ sentence, focus: false })}
          />
        )
      )}
      {isAdmin && <AddFeedForm onAdded={(sentence) => setOutcome({ sentence, focus: true })} />}
    </>
  );
}
