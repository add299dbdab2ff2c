import { FormEvent, useRef, useState } from 'react';
import { CLOSE_REASONS, type CloseReason } from '@tlp-broker/domain';
import { api, ApiError, unwrap } from '../../api/client';
import { useChange } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import { GroupField } from '../compose/LabelPickers';
import { FormProblems, useFocusProblem, useFocusWhen } from './focus';
import { inboxWords, triageMessages } from './messages';
import type { SubmissionDetail } from './submission-words';
import { placeProblems } from './triage-rules';

/** Closing it: why (a duplicate, out of scope, spam, resolved), a confirmation, then what was done. */
export function CloseSubmission({ submission, onCancel }: { submission: SubmissionDetail; onCancel: () => void }) {
  const t = useMessages(triageMessages);
  const words = useMessages(inboxWords);
  const [reason, setReason] = useState<CloseReason | null>(null);
  const [missing, setMissing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const close = useChange(
    (chosen: CloseReason) =>
      unwrap(
        api.POST('/submissions/{id}/close', { params: { path: { id: submission.id } }, body: { reason: chosen } }),
      ),
    [['submission', submission.id], ['submissions']],
  );
  const question = useFocusWhen<HTMLParagraphElement>(confirming);
  const done = useFocusWhen<HTMLParagraphElement>(close.data);
  useFocusProblem(form, close.error);
  const placed = placeProblems(close.error instanceof ApiError ? close.error.details : [], { reason: ['reason'] });
  const reasonError = missing ? t('closeReasonRequired') : (placed.byField.reason ?? null);

  function ask(event: FormEvent) {
    event.preventDefault();
    setMissing(reason === null);
    if (reason === null) form.current?.querySelector<HTMLInputElement>('input[name="close-reason"]')?.focus();
    else setConfirming(true);
  }

  if (close.data)
    return (
      <p role="status" className="notice" ref={done} tabIndex={-1}>
        {t('closed', { reason: words(`close.${close.data.closeReason ?? 'resolved'}`) })}
      </p>
    );
  return (
    <form ref={form} id="triage-close-form" className="inbox-form" onSubmit={ask} noValidate>
      <h3>{t('closeTitle')}</h3>
      <GroupField id="close-reason" legend={t('closeReason')} error={reasonError}>
        {CLOSE_REASONS.map((value) => (
          <div key={value} className="compose-choice">
            <input
              type="radio"
              id={`close-reason-${value}`}
              name="close-reason"
              checked={reason === value}
              disabled={confirming}
              onChange={() => setReason(value)}
            />
            <label htmlFor={`close-reason-${value}`} className="inline">
              {words(`close.${value}`)}
              <span className="hint compose-option-detail"> {t(`closeMeaning.${value}`)}</span>
            </label>
          </div>
        ))}
      </GroupField>
      <FormProblems error={close.error} other={placed.other} />
      {!confirming ? (
        <div className="toolbar">
          <button type="submit" className="danger">
            {t('closeAsk')}
          </button>
          <button type="button" onClick={onCancel}>
            {t('cancel')}
          </button>
        </div>
      ) : (
        <div>
          <p ref={question} tabIndex={-1} className="warning">
            {t('closeQuestion', {
              reference: submission.reference ?? submission.id,
              reason: words(`close.${reason ?? 'resolved'}`),
            })}
          </p>
          <div className="toolbar">
            <button
              type="button"
              className="danger"
              disabled={close.isPending}
              onClick={() => reason && close.mutate(reason, { onError: () => setConfirming(false) })}
            >
              {t('closeConfirm')}
            </button>
            <button type="button" disabled={close.isPending} onClick={() => setConfirming(false)}>
              {t('cancel')}
            </button>
          </div>
        </div>
      )}
    </form>
  );
}
