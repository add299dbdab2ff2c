import { FormEvent, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useChange, useRead } from '../../components/useApi';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { useSession } from '../../session/session';
import { VersionFields } from '../items/VersionFields';
import { approvalsMessages } from './messages';
import { baseVersion, diffVersions } from './version-diff';
import { VersionDiffView } from './VersionDiffView';

type Summary = Schemas['ItemSummaryView'];

/** One pending item: what changed since the version last released (or all of a first version), and the decision. */
export function ReviewPanel({ item, onDecided }: { item: Summary; onDecided: (sentence: string) => void }) {
  const t = useMessages(approvalsMessages);
  const date = useDateTime();
  const versions = useRead(['item', item.id, 'versions'], () =>
    unwrap(api.GET('/items/{id}/versions', { params: { path: { id: item.id } } })),
  );
  const pending = versions.data?.find((v) => v.version === item.version) ?? versions.data?.[0];
  const base = versions.data && pending ? baseVersion(versions.data, pending.version, item.lastReleasedVersion) : null;
  return (
    <section aria-labelledby="review-title" className="review">
      <h2 id="review-title">{t('review', { title: item.title })}</h2>
      <p>
        {t('writtenBy', { version: item.version, name: item.author.name, time: date(item.updatedAt) })}{' '}
        <Link to={`/items/${item.id}`}>{t('openItem')}</Link>
      </p>
      <ErrorMessage error={versions.error} />
      {!pending ? (
        !versions.error && <Loading />
      ) : base ? (
        <>
          <p className="notice">{t('comparedWith', { version: base.version })}</p>
          <VersionDiffView diff={diffVersions(base, pending)} />
        </>
      ) : (
        <>
          <p className="notice">{t('firstVersion')}</p>
          <VersionFields version={pending} />
        </>
      )}
      <h3>{t('decide')}</h3>
      <Decision item={item} onDecided={onDecided} />
    </section>
  );
}

/** Approve, or reject with a reason; the version's author is told why neither is offered. */
function Decision({ item, onDecided }: { item: Summary; onDecided: (sentence: string) => void }) {
  const t = useMessages(approvalsMessages);
  const date = useDateTime();
  const { session } = useSession();
  const [reason, setReason] = useState('');
  const [missingReason, setMissingReason] = useState(false);
  const reasonField = useRef<HTMLInputElement>(null);
  const refresh = [['items'], ['item', item.id]] as const;
  const path = { params: { path: { id: item.id } } };
  const approve = useChange(() => unwrap(api.POST('/items/{id}/approve', path)), refresh);
  const reject = useChange(
    (why: string) => unwrap(api.POST('/items/{id}/reject', { ...path, body: { reason: why } })),
    refresh,
  );

  if (session?.user.id === item.author.id) {
    return <p className="warning review-own">{t('ownItem')}</p>;
  }

  const rejectError = reject.error instanceof ApiError ? reject.error : null;
  const reasonError = missingReason ? t('reasonRequired') : (rejectError?.forField('reason') ?? null);
  const busy = approve.isPending || reject.isPending;

  // Told through the promise, not mutate's callbacks: the queue is read again first, and this
  // panel is gone by the time the change is done.
  function onApprove() {
    approve
      .mutateAsync()
      .then((released) =>
        onDecided(
          released.state === 'scheduled' && released.releaseAt
            ? t('approvedScheduled', { title: item.title, time: date(released.releaseAt) })
            : t('approved', { title: item.title }),
        ),
      )
      .catch(() => undefined); // approve.error says what went wrong
  }

  function onReject(event: FormEvent) {
    event.preventDefault();
    const missing = reason.trim() === '';
    setMissingReason(missing);
    if (missing) reasonField.current?.focus();
    else
      reject
        .mutateAsync(reason.trim())
        .then(() => onDecided(t('rejected', { title: item.title })))
        .catch(() => undefined); // reject.error says what went wrong
  }

  return (
    <div className="review-decision">
      <div className="toolbar">
        <button type="button" className="primary" disabled={busy} onClick={onApprove}>
          {t('approve')}
        </button>
      </div>
      <ErrorMessage error={approve.error} />
      <form className="review-reject" onSubmit={onReject} noValidate>
        <Field id="reject-reason" label={t('rejectReason')} hint={t('rejectHint')} error={reasonError}>
          <input
            {...fieldProps('reject-reason', reasonError, true)}
            ref={reasonField}
            type="text"
            required
            maxLength={1000}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </Field>
        {!reasonError && <ErrorMessage error={reject.error} />}
        <button type="submit" className="danger" disabled={busy}>
          {t('reject')}
        </button>
      </form>
    </div>
  );
}
