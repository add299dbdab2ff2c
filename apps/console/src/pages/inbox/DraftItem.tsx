import { FormEvent, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ITEM_KINDS, type ItemKind } from '@tlp-broker/domain';
import { requiresNamedAudience, type TlpLabel } from '@tlp-broker/tlp/labels';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useChange, useRead } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import { AudienceLists } from '../compose/AudiencePicker';
import { fieldMessages } from '../items/messages';
import { wordFor } from '../items/words';
import { FormProblems, useFocusProblem } from './focus';
import { triageMessages } from './messages';
import type { SubmissionDetail } from './submission-words';
import { Audience, DraftForm, draftRequest, initialDraft, placeProblems } from './triage-rules';

/** Where the API's field problems are shown: `content` (nothing to draft from, or too long) on the body. */
const DRAFT_FIELDS = {
  type: ['type'],
  title: ['title'],
  summary: ['summary'],
  body: ['body', 'content'],
  audience: ['audience'],
  communities: ['audience.communities'],
  organisations: ['audience.organisations'],
  contacts: ['audience.contacts'],
} as const;

type Problems = ReturnType<typeof placeProblems<keyof typeof DRAFT_FIELDS>>['byField'];

/**
 * A draft item made from the submission, with its label and provenance (the API fills them in):
 * its type, and a title, summary and body prefilled from the submission that the analyst may
 * rewrite for the recipients; then the item's page, where the draft is published.
 */
export function DraftItem({ submission, onCancel }: { submission: SubmissionDetail; onCancel: () => void }) {
  const t = useMessages(triageMessages);
  const navigate = useNavigate();
  const [initial] = useState(() => initialDraft(submission));
  const [form, setForm] = useState<DraftForm>(initial);
  const formRef = useRef<HTMLFormElement>(null);
  const draft = useChange(
    (body: Schemas['DraftItemDto']) =>
      unwrap(api.POST('/submissions/{id}/draft-item', { params: { path: { id: submission.id } }, body })),
    [['submission', submission.id], ['submissions'], ['items']],
  );
  useFocusProblem(formRef, draft.error);
  const placed = placeProblems(draft.error instanceof ApiError ? draft.error.details : [], DRAFT_FIELDS);
  const change = (patch: Partial<DraftForm>) => setForm((before) => ({ ...before, ...patch }));

  function submit(event: FormEvent) {
    event.preventDefault();
    draft.mutate(draftRequest(form, initial), {
      onSuccess: (drafted) => void navigate(`/items/${drafted.item.id}`),
    });
  }

  return (
    <form ref={formRef} id="triage-draft-form" className="inbox-form" onSubmit={submit} noValidate>
      <h3>{t('draftTitle')}</h3>
      <p className="hint">{t('draftHint', { tlp: submission.tlp ?? '—' })}</p>
      <DraftFields form={form} change={change} problems={placed.byField} />
      <DraftAudience
        tlp={submission.tlp}
        audience={form.audience}
        setAudience={(audience) => change({ audience })}
        problems={placed.byField}
      />
      <FormProblems error={draft.error} other={placed.other} />
      <div className="toolbar">
        <button type="submit" className="primary" disabled={draft.isPending}>
          {t('draftSubmit')}
        </button>
        <button type="button" onClick={onCancel} disabled={draft.isPending}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

function DraftFields(props: { form: DraftForm; change: (patch: Partial<DraftForm>) => void; problems: Problems }) {
  const t = useMessages(triageMessages);
  const words = useMessages(fieldMessages);
  const { form, change, problems } = props;
  return (
    <>
      <Field id="draft-type" label={words('type')} error={problems.type}>
        <select
          {...fieldProps('draft-type', problems.type)}
          value={form.type}
          onChange={(e) => change({ type: e.target.value as ItemKind })}
        >
          {ITEM_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {wordFor(words, 'type', kind)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="draft-title" label={words('title')} hint={t('draftTitleHint')} error={problems.title}>
        <input
          {...fieldProps('draft-title', problems.title, true)}
          type="text"
          maxLength={300}
          value={form.title}
          onChange={(e) => change({ title: e.target.value })}
        />
      </Field>
      <Field id="draft-summary" label={t('draftSummary')} error={problems.summary}>
        <textarea
          {...fieldProps('draft-summary', problems.summary)}
          className="inbox-short-text"
          maxLength={5000}
          value={form.summary}
          onChange={(e) => change({ summary: e.target.value })}
        />
      </Field>
      <Field id="draft-body" label={words('body')} hint={t('draftBodyHint')} error={problems.body}>
        <textarea
          {...fieldProps('draft-body', problems.body, true)}
          className="inbox-body-input"
          value={form.body}
          onChange={(e) => change({ body: e.target.value })}
        />
      </Field>
    </>
  );
}

/** Who the item is for: the partners' communities, organisations and contacts, read when the form opens. */
function DraftAudience(props: {
  tlp: TlpLabel | null;
  audience: Audience;
  setAudience: (audience: Audience) => void;
  problems: Problems;
}) {
  const t = useMessages(triageMessages);
  const partners = useRead(['organisations'], () => unwrap(api.GET('/organisations')));
  const named = props.tlp !== null && requiresNamedAudience(props.tlp);
  return (
    <fieldset className="compose-group" aria-describedby="draft-audience-hint">
      <legend>{t('draftAudience')}</legend>
      <p id="draft-audience-hint" className="hint">
        {named ? t('draftAudienceNamed', { tlp: props.tlp ?? '' }) : t('draftAudienceOptional')}
      </p>
      {props.problems.audience && <p className="field-error">{props.problems.audience}</p>}
      <ErrorMessage error={partners.error} />
      {partners.data ? (
        <AudienceLists
          idPrefix="draft"
          audience={props.audience}
          setAudience={props.setAudience}
          errors={{
            communities: props.problems.communities ?? null,
            organisations: props.problems.organisations ?? null,
            contacts: props.problems.contacts ?? null,
          }}
          partners={partners.data}
        />
      ) : (
        !partners.error && <Loading />
      )}
    </fieldset>
  );
}
