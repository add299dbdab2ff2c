import { useState } from 'react';
import { useDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/i18n';
import { useSession } from '../../session/session';
import { AttachToItem } from './AttachToItem';
import { CloseSubmission } from './CloseSubmission';
import { DraftItem } from './DraftItem';
import { inboxWords, triageMessages } from './messages';
import type { SubmissionDetail } from './submission-words';
import { StepRefusal, triageSteps } from './triage-rules';

type Open = 'none' | 'draft' | 'attach' | 'close';

/** One step's button, opening its form; disabled, with the reason written beside it, when the submission's state refuses it. */
function StepButton(props: {
  step: Exclude<Open, 'none'>;
  label: string;
  refusal: StepRefusal | null;
  open: Open;
  setOpen: (open: Open) => void;
}) {
  const t = useMessages(triageMessages);
  const reasonId = `triage-${props.step}-refused`;
  return (
    <div className="inbox-step">
      <button
        type="button"
        aria-expanded={props.open === props.step}
        aria-controls={props.open === props.step ? `triage-${props.step}-form` : undefined}
        disabled={props.refusal !== null}
        aria-describedby={props.refusal ? reasonId : undefined}
        onClick={() => props.setOpen(props.open === props.step ? 'none' : props.step)}
      >
        {props.label}
      </button>
      {props.refusal && (
        <span id={reasonId} className="hint">
          {t(`refused.${props.refusal}`)}
        </span>
      )}
    </div>
  );
}

/** What an analyst does with the submission: draft an item from it, attach it to an existing item, close it. */
export function TriageActions({ submission }: { submission: SubmissionDetail }) {
  const t = useMessages(triageMessages);
  const words = useMessages(inboxWords);
  const date = useDateTime();
  const { hasRole } = useSession();
  const [open, setOpen] = useState<Open>('none');
  const steps = triageSteps(submission);
  const close = () => setOpen('none');
  return (
    <section aria-labelledby="submission-triage">
      <h2 id="submission-triage">{t('triageHeading')}</h2>
      {submission.triageState === 'closed' && (
        <p>
          {t('closedOn', {
            reason: submission.closeReason ? words(`close.${submission.closeReason}`) : '—',
            time: date(submission.closedAt),
          })}
        </p>
      )}
      {!hasRole('analyst') ? (
        <p className="hint">{t('analystsOnly')}</p>
      ) : (
        <>
          <div className="item-actions" role="group" aria-label={t('actions')}>
            <StepButton step="draft" label={t('draftItem')} refusal={steps.draft} open={open} setOpen={setOpen} />
            <StepButton step="attach" label={t('attach')} refusal={steps.attach} open={open} setOpen={setOpen} />
            <StepButton step="close" label={t('close')} refusal={steps.close} open={open} setOpen={setOpen} />
          </div>
          {/* A form stays open once its step is done, to show what it did. */}
          {open === 'draft' && <DraftItem submission={submission} onCancel={close} />}
          {open === 'attach' && <AttachToItem submission={submission} onCancel={close} />}
          {open === 'close' && <CloseSubmission submission={submission} onCancel={close} />}
        </>
      )}
    </section>
  );
}
