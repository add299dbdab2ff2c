import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, Schemas, unwrap } from '../../api/client';
import { ErrorMessage, Loading, PageTitle } from '../../components/common';
import { PapBadge, TlpBadge } from '../../components/labels';
import { useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { fieldMessages, itemsMessages } from './messages';
import { ItemStateBadge, wordFor } from './words';

type ItemState = Schemas['ItemSummaryView']['state'];

const ITEM_STATES: readonly ItemState[] = ['draft', 'pending-approval', 'scheduled', 'published', 'retracted'];
const LIMIT = 200;
/** Typing pauses this long before the list is asked for again. */
const SEARCH_PAUSE_MS = 300;
/** The list is read again this often, so that items published or changed by others show up. */
const LIST_REFRESH_MS = 15_000;

function isItemState(value: string | null): value is ItemState {
  return (ITEM_STATES as readonly (string | null)[]).includes(value);
}

function withParam(params: URLSearchParams, name: string, value: string): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value) next.set(name, value);
  else next.delete(name);
  return next;
}

/** `value` once it stopped changing for `pauseMs`. */
function useSettled<T>(value: T, pauseMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), pauseMs);
    return () => clearTimeout(timer);
  }, [value, pauseMs]);
  return settled;
}

/** The team's items, most recently changed first, filtered by state and title (kept in the address). */
export function ItemsPage() {
  const t = useMessages(itemsMessages);
  const words = useMessages(fieldMessages);
  const [params, setParams] = useSearchParams();
  const stateParam = params.get('state');
  const state = isItemState(stateParam) ? stateParam : undefined;
  const [typed, setTyped] = useState(() => params.get('q') ?? '');
  const q = useSettled(typed.trim(), SEARCH_PAUSE_MS);

  useEffect(() => {
    if ((params.get('q') ?? '') !== q) setParams(withParam(params, 'q', q), { replace: true });
  }, [q, params, setParams]);

  const items = useRead(
    ['items', { state, q }],
    () => unwrap(api.GET('/items', { params: { query: { state, q: q || undefined, limit: LIMIT } } })),
    { refetchInterval: LIST_REFRESH_MS },
  );

  return (
    <>
      <PageTitle title={t('items')} />
      <form className="items-filters" role="search" aria-label={t('filters')} onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor="items-state">{t('state')}</label>
          <select
            id="items-state"
            value={state ?? ''}
            onChange={(e) => setParams(withParam(params, 'state', e.target.value), { replace: true })}
          >
            <option value="">{t('allStates')}</option>
            {ITEM_STATES.map((value) => (
              <option key={value} value={value}>
                {wordFor(words, 'state', value)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="items-q">{t('search')}</label>
          <input id="items-q" type="search" value={typed} maxLength={200} onChange={(e) => setTyped(e.target.value)} />
        </div>
      </form>
      <ErrorMessage error={items.error} />
      {items.isPending ? <Loading /> : items.data && <ItemsTable items={items.data} />}
    </>
  );
}

function ItemsTable({ items }: { items: Schemas['ItemSummaryView'][] }) {
  const t = useMessages(itemsMessages);
  const words = useMessages(fieldMessages);
  const date = useDateTime();
  return (
    <>
      <p role="status" aria-live="polite" className="items-count">
        {items.length === 0
          ? t('noneFound')
          : items.length === 1
            ? t('countOne')
            : t('countMany', { count: items.length })}
      </p>
      {items.length >= LIMIT && <p className="hint">{t('limited', { limit: LIMIT })}</p>}
      {items.length > 0 && (
        <table aria-label={t('listLabel')}>
          <thead>
            <tr>
              <th scope="col">{words('title')}</th>
              <th scope="col">{words('type')}</th>
              <th scope="col">{words('tlp')}</th>
              <th scope="col">{t('state')}</th>
              <th scope="col">{t('version')}</th>
              <th scope="col">{t('author')}</th>
              <th scope="col">{t('updated')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td>
                  <Link to={`/items/${item.id}`}>{item.title}</Link>
                </td>
                <td>{wordFor(words, 'type', item.type)}</td>
                <td className="items-labels">
                  <TlpBadge label={item.tlp} /> <PapBadge label={item.pap} />
                </td>
                <td>
                  <ItemStateBadge state={item.state} />
                </td>
                <td>{item.version}</td>
                <td>{item.author.name}</td>
                <td>{date(item.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
