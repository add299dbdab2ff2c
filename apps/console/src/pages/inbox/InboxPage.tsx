import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorMessage, Loading, PageTitle } from '../../components/common';
import { useRead } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import {
  INBOX_LIMIT,
  inboxQuery,
  InboxFilters,
  InboxSnapshot,
  newArrivals,
  readFilters,
  snapshotOf,
  SOURCE_FILTERS,
  STATE_FILTERS,
  writeFilters,
} from './inbox-filters';
import { InboxTable } from './InboxTable';
import { inboxMessages, inboxWords } from './messages';
import type { Submission } from './submission-words';
import './inbox.css';

/** The inbox is read again this often while it is open, so that what comes in shows up by itself. */
export const INBOX_REFRESH_MS = 4_000;

/** Everything that came in, newest first, filtered by triage state and way in (kept in the address). */
export function InboxPage() {
  const t = useMessages(inboxMessages);
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const query = inboxQuery(filters);
  const inbox = useRead(['submissions', query], () => unwrap(api.GET('/submissions', { params: { query } })), {
    refetchInterval: INBOX_REFRESH_MS,
  });
  const arrived = useArrivals(`${filters.state}/${filters.source}`, inbox.data);
  const change = (patch: Partial<InboxFilters>) =>
    setParams(writeFilters(params, { ...filters, ...patch }), { replace: true });

  return (
    <>
      <PageTitle title={t('title')} />
      <Filters filters={filters} change={change} />
      <p role="status" aria-live="polite" className="inbox-arrivals">
        {arrived.length === 0
          ? ''
          : arrived.length === 1
            ? t('arrivedOne', { references: references(arrived) })
            : t('arrivedMany', { count: arrived.length, references: references(arrived) })}
      </p>
      <ErrorMessage error={inbox.error} />
      {inbox.isPending ? <Loading /> : inbox.data && <InboxTable submissions={inbox.data} limit={INBOX_LIMIT} />}
    </>
  );
}

function references(entries: readonly Submission[]): string {
  return entries.map((entry) => entry.reference ?? entry.title ?? entry.id.slice(0, 8)).join(', ');
}

/**
 * The entries that arrived at the last read, announced politely; a change of filters starts
 * afresh (what the new filter shows at first did not arrive). Kept in state, adjusted while
 * rendering when a read brings new data.
 */
function useArrivals(filterKey: string, data: Submission[] | undefined): Submission[] {
  const [seen, setSeen] = useState<{
    filterKey: string;
    data: Submission[] | undefined;
    snapshot: InboxSnapshot | null;
    arrived: Submission[];
  }>({ filterKey, data: undefined, snapshot: null, arrived: [] });
  if (seen.filterKey !== filterKey) {
    setSeen({ filterKey, data: undefined, snapshot: null, arrived: [] });
  } else if (data && data !== seen.data) {
    const arrived = newArrivals(seen.snapshot, data);
    setSeen({
      filterKey,
      data,
      snapshot: snapshotOf(data),
      arrived: arrived.length ? arrived : seen.arrived,
    });
  }
  return seen.arrived;
}

function Filters({ filters, change }: { filters: InboxFilters; change: (patch: Partial<InboxFilters>) => void }) {
  const t = useMessages(inboxMessages);
  const words = useMessages(inboxWords);
  return (
    <form className="items-filters" role="search" aria-label={t('filters')} onSubmit={(e) => e.preventDefault()}>
      <div>
        <label htmlFor="inbox-state">{t('stateFilter')}</label>
        <select
          id="inbox-state"
          value={filters.state}
          onChange={(e) => change({ state: e.target.value as InboxFilters['state'] })}
        >
          {STATE_FILTERS.map((value) => (
            <option key={value} value={value}>
              {t(`stateFilter.${value}`)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="inbox-source">{t('sourceFilter')}</label>
        <select
          id="inbox-source"
          value={filters.source}
          onChange={(e) => change({ source: e.target.value as InboxFilters['source'] })}
        >
          {SOURCE_FILTERS.map((value) => (
            <option key={value} value={value}>
              {value === 'all' ? t('sourceFilter.all') : words(`source.${value}`)}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}
