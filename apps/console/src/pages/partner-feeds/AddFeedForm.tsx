import { FormEvent, useState } from 'react';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useChange, useRead } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import {
  emptyFeedForm,
  FeedField,
  FeedForm,
  feedRequest,
  MAX_INTERVAL_SECONDS,
  MIN_INTERVAL_SECONDS,
  PARTNER_FEED_KINDS,
  placeFeedProblems,
  readInterval,
} from './feed-form';
import { FEEDS_KEY, intervalText } from './FeedActions';
import { partnerFeedsMessages } from './messages';

type Problems = ReturnType<typeof placeFeedProblems>;

interface SectionProps {
  form: FeedForm;
  set(patch: Partial<FeedForm>): void;
  problem(field: FeedField): string | null;
}

/** POST /partner-feeds with the API's refusals shown on their fields; the first refused field is focused. */
function useAdd(onAdded: (feed: Schemas['PartnerFeedView']) => void) {
  const [problems, setProblems] = useState<Problems | null>(null);
  const add = useChange(
    (body: Schemas['CreatePartnerFeedDto']) => unwrap(api.POST('/partner-feeds', { body })),
    [FEEDS_KEY],
  );
  function submit(form: FeedForm, unreadableInterval: string) {
    const body = feedRequest(form);
    if (!body) {
      setProblems({ fields: { intervalSeconds: unreadableInterval }, other: [] });
      return focusFirst(['intervalSeconds']);
    }
    add.mutate(body, {
      onSuccess: (feed) => {
        setProblems(null);
        onAdded(feed);
      },
      onError: (error) => {
        if (!(error instanceof ApiError) || error.details.length === 0) return setProblems(null);
        const placed = placeFeedProblems(error.details);
        setProblems(placed);
        focusFirst(Object.keys(placed.fields) as FeedField[]);
      },
    });
  }
  const failure = add.error && (!problems || Object.keys(problems.fields).length === 0) ? add.error : null;
  return { submit, problems, failure, pending: add.isPending };
}

const FIELD_ORDER: readonly FeedField[] = ['organisationId', 'kind', 'name', 'url', 'authorization', 'intervalSeconds'];

function focusFirst(fields: FeedField[]): void {
  const first = FIELD_ORDER.find((field) => fields.includes(field));
  if (first) window.requestAnimationFrame(() => document.getElementById(`feed-${first}`)?.focus());
}

/** Whose feed it is, and what it is. */
function OrganisationAndKind({ form, set, problem }: SectionProps) {
  const t = useMessages(partnerFeedsMessages);
  const organisations = useRead(['organisations'], () => unwrap(api.GET('/organisations')), { staleTime: 60_000 });
  return (
    <>
      <ErrorMessage error={organisations.error} />
      <Field id="feed-organisationId" label={t('organisationId')} error={problem('organisationId')}>
        <select
          {...fieldProps('feed-organisationId', problem('organisationId'))}
          value={form.organisationId}
          onChange={(event) => set({ organisationId: event.target.value })}
        >
          <option value="">{t('chooseOrganisation')}</option>
          {(organisations.data ?? []).map((organisation) => (
            <option key={organisation.id} value={organisation.id}>
              {organisation.name}
            </option>
          ))}
        </select>
      </Field>
      <Field id="feed-kind" label={t('kind')} error={problem('kind')}>
        <select
          {...fieldProps('feed-kind', problem('kind'))}
          value={form.kind}
          onChange={(event) => set({ kind: event.target.value })}
        >
          <option value="">{t('chooseKind')}</option>
          {PARTNER_FEED_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {t(`kind_${kind}`)}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}

/** An administrator registers a partner's TAXII collection or MISP feed. */
export function AddFeedForm({ onAdded }: { onAdded(sentence: string): void }) {
  const t = useMessages(partnerFeedsMessages);
  const [form, setForm] = useState<FeedForm>(emptyFeedForm);
  const set = (patch: Partial<FeedForm>) => setForm((current) => ({ ...current, ...patch }));
  const { submit, problems, failure, pending } = useAdd((feed) => {
    setForm(emptyFeedForm());
    onAdded(t('added', { name: feed.name }));
  });
  const problem = (field: FeedField) => problems?.fields[field] ?? null;
  const interval = readInterval(form.interval);
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    submit(form, t('intervalUnreadable'));
  }
  const input = (field: 'name' | 'url' | 'authorization', hint?: string) => (
    <Field id={`feed-${field}`} label={t(field)} hint={hint} error={problem(field)}>
      <input
        {...fieldProps(`feed-${field}`, problem(field), !!hint)}
        type={field === 'authorization' ? 'password' : 'text'}
        autoComplete="off"
        spellCheck={false}
        value={form[field]}
        onChange={(event) => set({ [field]: event.target.value })}
      />
    </Field>
  );
  return (
    <form className="partners-form" onSubmit={onSubmit} noValidate aria-labelledby="add-feed-title">
      <h2 id="add-feed-title">{t('addTitle')}</h2>
      <ErrorMessage error={failure} />
      {problems?.other.map((other, index) => (
        <p key={index} role="alert" className="error">
          {other.field ? `${other.field}: ` : ''}
          {other.message}
        </p>
      ))}
      <div className="row">
        <OrganisationAndKind form={form} set={set} problem={problem} />
        {input('name')}
      </div>
      {input('url', t('urlHint'))}
      <div className="row">
        {input('authorization', t('authorizationHint'))}
        <Field
          id="feed-intervalSeconds"
          label={t('intervalSeconds')}
          hint={`${t('intervalHint', { min: MIN_INTERVAL_SECONDS, max: MAX_INTERVAL_SECONDS })} ${interval === null ? '' : t('intervalIs', { interval: intervalText(t, interval) })}`}
          error={problem('intervalSeconds')}
        >
          <input
            {...fieldProps('feed-intervalSeconds', problem('intervalSeconds'), true)}
            type="text"
            inputMode="numeric"
            value={form.interval}
            onChange={(event) => set({ interval: event.target.value })}
          />
        </Field>
      </div>
      <p className="toolbar">
        <button type="submit" className="primary" disabled={pending}>
          {t('add')}
        </button>
      </p>
    </form>
  );
}
