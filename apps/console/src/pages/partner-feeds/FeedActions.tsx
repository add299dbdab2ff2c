import { FormEvent, useEffect, useRef, useState } from 'react';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useChange } from '../../components/useApi';
import { Translate, useMessages } from '../../i18n/i18n';
import { intervalParts, readInterval } from './feed-form';
import { PartnerFeedsMessage, partnerFeedsMessages } from './messages';

type PartnerFeedView = Schemas['PartnerFeedView'];
type UpdatePartnerFeedDto = Schemas['UpdatePartnerFeedDto'];

export const FEEDS_KEY = ['partner-feeds'] as const;

/** "every 5 min", in the user's language. */
export function intervalText(t: Translate<PartnerFeedsMessage>, seconds: number): string {
  const { amount, unit } = intervalParts(seconds);
  return t(`interval_${unit}`, { amount });
}

/** PATCH /partner-feeds/:id, then the list read again. */
function useUpdate(feed: PartnerFeedView) {
  return useChange(
    (body: UpdatePartnerFeedDto) =>
      unwrap(api.PATCH('/partner-feeds/{id}', { params: { path: { id: feed.id } }, body })),
    [FEEDS_KEY],
  );
}

/** The interval, changed in place: the API's words on the field when it refuses. */
function IntervalForm({ feed, onDone }: { feed: PartnerFeedView; onDone(sentence: string | null): void }) {
  const t = useMessages(partnerFeedsMessages);
  const [typed, setTyped] = useState(String(feed.intervalSeconds));
  const [unreadable, setUnreadable] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);
  const update = useUpdate(feed);
  const refused = update.error instanceof ApiError ? update.error.forField('intervalSeconds') : null;
  const error = unreadable ? t('intervalUnreadable') : refused;
  const id = `feed-interval-${feed.id}`;
  function submit(event: FormEvent) {
    event.preventDefault();
    const intervalSeconds = readInterval(typed);
    setUnreadable(intervalSeconds === null);
    if (intervalSeconds === null) return;
    update.mutate(
      { intervalSeconds },
      {
        onSuccess: (changed) =>
          onDone(t('intervalChanged', { name: changed.name, interval: intervalText(t, changed.intervalSeconds) })),
      },
    );
  }
  return (
    <form onSubmit={submit} noValidate className="feeds-interval-form">
      <Field id={id} label={t('newInterval', { name: feed.name })} error={error}>
        <input
          {...fieldProps(id, error)}
          ref={field}
          type="text"
          inputMode="numeric"
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
        />
      </Field>
      {!refused && <ErrorMessage error={update.error} />}
      <p className="toolbar">
        <button type="submit" className="primary" disabled={update.isPending}>
          {t('save')}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          {t('cancel')}
        </button>
      </p>
    </form>
  );
}

/**
 * An administrator's actions on one feed: poll now, suspend or reinstate, change the interval.
 * `onOutcome` says what was done, for the page's status line.
 */
export function FeedActions({ feed, onOutcome }: { feed: PartnerFeedView; onOutcome(sentence: string): void }) {
  const t = useMessages(partnerFeedsMessages);
  const [changing, setChanging] = useState(false);
  const changeButton = useRef<HTMLButtonElement>(null);
  const update = useUpdate(feed);
  const poll = useChange(
    () => unwrap(api.POST('/partner-feeds/{id}/poll', { params: { path: { id: feed.id } } })),
    [FEEDS_KEY],
  );
  const suspended = feed.status === 'suspended';
  if (changing)
    return (
      <IntervalForm
        feed={feed}
        onDone={(sentence) => {
          setChanging(false);
          if (sentence) onOutcome(sentence);
          window.requestAnimationFrame(() => changeButton.current?.focus());
        }}
      />
    );
  const toggle = () =>
    update.mutate(
      { status: suspended ? 'active' : 'suspended' },
      {
        onSuccess: (changed) =>
          onOutcome(t(changed.status === 'suspended' ? 'suspended' : 'reinstated', { name: changed.name })),
      },
    );
  const hidden = <span className="visually-hidden"> ({feed.name})</span>;
  return (
    <>
      <p className="toolbar">
        <button
          type="button"
          disabled={suspended || poll.isPending}
          onClick={() =>
            poll.mutate(undefined, { onSuccess: () => onOutcome(t('pollRequested', { name: feed.name })) })
          }
        >
          {t('pollNow')}
          {hidden}
        </button>
        <button type="button" disabled={update.isPending} onClick={toggle}>
          {suspended ? t('reinstate') : t('suspend')}
          {hidden}
        </button>
        <button type="button" ref={changeButton} onClick={() => setChanging(true)}>
          {t('changeInterval')}
          {hidden}
        </button>
      </p>
      <ErrorMessage error={poll.error ?? update.error} />
    </>
  );
}
