import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/common';
import { PapBadge, TlpBadge } from '../../components/labels';
import { useChange, useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { ItemStateBadge } from '../items/words';
import { useFocusWhen } from './focus';
import { triageMessages } from './messages';
import type { SubmissionDetail } from './submission-words';

/** Typing pauses this long before the items are searched again. */
const SEARCH_PAUSE_MS = 300;
const RESULTS = 20;

type Item = Schemas['ItemSummaryView'];

/** `value` once it stopped changing for `pauseMs`. */
function useSettled<T>(value: T, pauseMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), pauseMs);
    return () => clearTimeout(timer);
  }, [value, pauseMs]);
  return settled;
}

/** Links the submission to an existing item it is about (more material, the same incident reported again), found by its title. */
export function AttachToItem({ submission, onCancel }: { submission: SubmissionDetail; onCancel: () => void }) {
  const t = useMessages(triageMessages);
  const [typed, setTyped] = useState('');
  const q = useSettled(typed.trim(), SEARCH_PAUSE_MS);
  const items = useRead(['items', { q, attach: true }], () =>
    unwrap(api.GET('/items', { params: { query: { q: q || undefined, limit: RESULTS } } })),
  );
  const attach = useChange(
    (item: Item) =>
      unwrap(
        api.POST('/submissions/{id}/attach', {
          params: { path: { id: submission.id } },
          body: { itemId: item.id },
        }),
      ).then(() => item),
    [['submission', submission.id], ['submissions']],
  );
  const result = useFocusWhen<HTMLParagraphElement>(attach.data ?? attach.error);
  // Every refusal (`itemId`: an unknown or retracted item; the submission's state) is about the choice made.
  const refusal =
    attach.error instanceof ApiError && attach.error.details.length
      ? attach.error.details.map((detail) => detail.message).join('; ')
      : attach.error?.message;
  const candidates = items.data?.filter((item) => item.state !== 'retracted') ?? [];

  return (
    <div id="triage-attach-form" className="inbox-form" role="group" aria-labelledby="attach-title">
      <h3 id="attach-title">{t('attachTitle')}</h3>
      <div className="field">
        <label htmlFor="attach-search">{t('attachSearch')}</label>
        <input
          id="attach-search"
          type="search"
          value={typed}
          maxLength={200}
          onChange={(e) => setTyped(e.target.value)}
        />
      </div>
      <ErrorMessage error={items.error} />
      {items.isPending ? (
        <Loading />
      ) : (
        <AttachCandidates items={candidates} busy={attach.isPending} onAttach={(item) => attach.mutate(item)} />
      )}
      {refusal && (
        <p role="alert" className="error" ref={result} tabIndex={-1}>
          {refusal}
        </p>
      )}
      {attach.data && (
        <p role="status" className="notice" ref={result} tabIndex={-1}>
          {t('attached', { title: attach.data.title })} <Link to={`/items/${attach.data.id}`}>{t('openItem')}</Link>
        </p>
      )}
      <div className="toolbar">
        <button type="button" onClick={onCancel}>
          {attach.data ? t('done') : t('cancel')}
        </button>
      </div>
    </div>
  );
}

function AttachCandidates(props: { items: Item[]; busy: boolean; onAttach: (item: Item) => void }) {
  const t = useMessages(triageMessages);
  const date = useDateTime();
  return (
    <>
      <p className="hint" aria-live="polite">
        {props.items.length === 0 ? t('attachNone') : t('attachFound', { count: props.items.length })}
      </p>
      {props.items.length > 0 && (
        <table>
          <caption className="visually-hidden">{t('attachCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('itemTitle')}</th>
              <th scope="col">{t('itemLabel')}</th>
              <th scope="col">{t('itemState')}</th>
              <th scope="col">{t('itemUpdated')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.items.map((item) => (
              <tr key={item.id}>
                <th scope="row">
                  <Link to={`/items/${item.id}`}>{item.title}</Link>
                </th>
                <td className="items-labels">
                  <TlpBadge label={item.tlp} /> <PapBadge label={item.pap} />
                </td>
                <td>
                  <ItemStateBadge state={item.state} />
                </td>
                <td className="items-nowrap">{date(item.updatedAt)}</td>
                <td>
                  <button
                    type="button"
                    disabled={props.busy}
                    aria-label={t('attachTo', { title: item.title })}
                    onClick={() => props.onAttach(item)}
                  >
                    {t('attachButton')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
