import { FormEvent, useEffect, useRef, useState } from 'react';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import { ErrorMessage } from '../../components/common';
import { Field, fieldProps } from '../../components/Field';
import { useChange } from '../../components/useApi';
import { useMessages } from '../../i18n/i18n';
import { itemMessages } from './messages';

type Step = 'closed' | 'form' | 'confirm';

/**
 * Retracting an item: the reason (kept in the audit trail) and an optional notice for recipients,
 * a confirmation, then what the retraction did.
 */
export function RetractItem({ item }: { item: Schemas['ItemView'] }) {
  const t = useMessages(itemMessages);
  const [step, setStep] = useState<Step>('closed');
  const retract = useChange(
    (body: { reason: string; notice?: string }) =>
      unwrap(api.POST('/items/{id}/retract', { params: { path: { id: item.id } }, body })),
    [['item', item.id], ['items']],
  );

  if (retract.data) {
    return (
      <p role="status" className="notice item-retracted">
        {t('retracted', {
          cancelled: retract.data.cancelled,
          recalls: retract.data.recalls,
          feeds: retract.data.removedFromFeeds,
        })}
      </p>
    );
  }
  if (item.state === 'retracted') return null;
  if (step === 'closed') {
    return (
      <button type="button" className="danger" onClick={() => setStep('form')}>
        {t('retract')}
      </button>
    );
  }
  return (
    <RetractForm
      title={item.title}
      step={step}
      setStep={setStep}
      error={retract.error}
      busy={retract.isPending}
      onConfirm={(body) => retract.mutate(body, { onError: () => setStep('form') })}
    />
  );
}

function RetractForm(props: {
  title: string;
  step: 'form' | 'confirm';
  setStep: (step: Step) => void;
  error: Error | null;
  busy: boolean;
  onConfirm: (body: { reason: string; notice?: string }) => void;
}) {
  const t = useMessages(itemMessages);
  const { step, setStep } = props;
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState('');
  const [missingReason, setMissingReason] = useState(false);
  const reasonField = useRef<HTMLInputElement>(null);
  const apiError = props.error instanceof ApiError ? props.error : null;
  const reasonError = missingReason ? t('reasonRequired') : (apiError?.forField('reason') ?? null);
  const noticeError = apiError?.forField('notice') ?? null;

  useEffect(() => {
    if (step === 'form') reasonField.current?.focus();
  }, [step]);

  function ask(event: FormEvent) {
    event.preventDefault();
    const missing = reason.trim() === '';
    setMissingReason(missing);
    if (missing) reasonField.current?.focus();
    else setStep('confirm');
  }

  return (
    <form className="item-retract-form" onSubmit={ask} noValidate aria-labelledby="retract-title">
      <h3 id="retract-title">{t('retractTitle')}</h3>
      <Field id="retract-reason" label={t('reason')} hint={t('reasonHint')} error={reasonError}>
        <input
          {...fieldProps('retract-reason', reasonError, true)}
          ref={reasonField}
          type="text"
          required
          maxLength={1000}
          value={reason}
          disabled={step === 'confirm'}
          onChange={(e) => setReason(e.target.value)}
        />
      </Field>
      <Field id="retract-notice" label={t('notice')} hint={t('noticeHint')} error={noticeError}>
        <textarea
          {...fieldProps('retract-notice', noticeError, true)}
          maxLength={4000}
          value={notice}
          disabled={step === 'confirm'}
          onChange={(e) => setNotice(e.target.value)}
        />
      </Field>
      {!reasonError && !noticeError && <ErrorMessage error={props.error} />}
      {step === 'form' ? (
        <div className="toolbar">
          <button type="submit" className="danger">
            {t('retractAsk')}
          </button>
          <button type="button" onClick={() => setStep('closed')}>
            {t('cancel')}
          </button>
        </div>
      ) : (
        <ConfirmRetraction
          title={props.title}
          busy={props.busy}
          onCancel={() => setStep('form')}
          onConfirm={() =>
            props.onConfirm({ reason: reason.trim(), ...(notice.trim() ? { notice: notice.trim() } : {}) })
          }
        />
      )}
    </form>
  );
}

/** The last step: what a retraction does, said before it is done. */
function ConfirmRetraction(props: { title: string; busy: boolean; onCancel: () => void; onConfirm: () => void }) {
  const t = useMessages(itemMessages);
  const question = useRef<HTMLParagraphElement>(null);
  useEffect(() => question.current?.focus(), []);
  return (
    <div className="item-retract-confirm">
      <p ref={question} tabIndex={-1} className="warning">
        {t('confirmQuestion', { title: props.title })}
      </p>
      <div className="toolbar">
        <button type="button" className="danger" disabled={props.busy} onClick={props.onConfirm}>
          {t('confirm')}
        </button>
        <button type="button" disabled={props.busy} onClick={props.onCancel}>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
}
