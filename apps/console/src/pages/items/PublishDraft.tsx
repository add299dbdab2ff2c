import { useEffect, useRef, useState } from 'react';
import { api, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { useChange } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import { itemMessages } from './messages';

/**
 * Publishing a draft (drafted from a submission in triage, or sent back by an approver) as it
 * stands: a confirmation, then what became of it — published, waiting for approval, or scheduled.
 */
export function PublishDraft({ item }: { item: Schemas['ItemView'] }) {
  const t = useMessages(itemMessages);
  const [confirming, setConfirming] = useState(false);
  const publish = useChange<void, Schemas['ItemView']>(
    () => unwrap(api.POST('/items/{id}/publish', { params: { path: { id: item.id } } })),
    [['item', item.id], ['items']],
  );
  const question = useRef<HTMLParagraphElement>(null);
  const outcome = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (confirming) question.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (publish.data || publish.error) outcome.current?.focus();
  }, [publish.data, publish.error]);

  if (publish.data)
    return (
      <p role="status" className="notice" ref={outcome} tabIndex={-1}>
        {publish.data.state === 'pending-approval'
          ? t('publishedPending')
          : publish.data.state === 'scheduled'
            ? t('publishedScheduled')
            : t('publishedNow')}
      </p>
    );
  if (item.state !== 'draft') return null;
  if (!confirming)
    return (
      <button type="button" className="primary" onClick={() => setConfirming(true)}>
        {t('publish')}
      </button>
    );
  return (
    <div className="item-publish-confirm">
      <p ref={question} tabIndex={-1} className="warning">
        {t('publishQuestion', { title: item.title, tlp: item.tlp })}
      </p>
      <div ref={outcome} tabIndex={-1}>
        <ErrorMessage error={publish.error} />
      </div>
      <div className="toolbar">
        <button type="button" className="primary" disabled={publish.isPending} onClick={() => publish.mutate()}>
          {t('publishConfirm')}
        </button>
        <button type="button" disabled={publish.isPending} onClick={() => setConfirming(false)}>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
}
