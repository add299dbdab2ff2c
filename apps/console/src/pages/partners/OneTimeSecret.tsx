import { useId, useState } from 'react';
import { usePartnersMessages } from './partner-parts';

/** Copies `value` to the clipboard; the button says "Copied" once it is there. */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const t = usePartnersMessages();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  function copy() {
    navigator.clipboard.writeText(value).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  }
  return (
    <>
      <button type="button" onClick={copy}>
        {state === 'copied' ? t('copied') : t('copy')}
        <span className="visually-hidden"> {what}</span>
      </button>
      <span role="status" aria-live="polite" className={state === 'failed' ? 'error' : 'visually-hidden'}>
        {state === 'failed' ? t('copyFailed') : state === 'copied' ? t('copied') : ''}
      </span>
    </>
  );
}

/**
 * A key or secret the API shows this once: written out in full with a Copy button, and a sentence
 * saying it will not be shown again. `onDone` hides it.
 */
export function OneTimeSecret({ label, value, onDone }: { label: string; value: string; onDone?: () => void }) {
  const t = usePartnersMessages();
  const id = useId();
  return (
    <div className="notice partners-secret" role="group" aria-labelledby={`${id}-label`}>
      <p id={`${id}-label`} className="partners-secret-label">
        {label}
      </p>
      <p>
        <code className="mono partners-secret-value" data-testid="one-time-secret">
          {value}
        </code>
      </p>
      <p className="toolbar">
        <CopyButton value={value} what={label} />
        {onDone && (
          <button type="button" onClick={onDone}>
            {t('hide')}
          </button>
        )}
      </p>
      <p className="warning">{t('oneTimeWarning')}</p>
    </div>
  );
}
