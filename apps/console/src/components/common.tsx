import { ReactNode, useEffect } from 'react';
import { ApiError } from '../api/client';
import { useMessages } from '../i18n/i18n';
import { commonMessages } from './messages';

/** Sets the window title and gives the screen its one h1. */
export function PageTitle({ children, title }: { children?: ReactNode; title: string }) {
  useEffect(() => {
    document.title = `${title} · tlp-broker`;
  }, [title]);
  return (
    <div className="page-title">
      <h1>{title}</h1>
      {children}
    </div>
  );
}

/** A failed call, in the API's words. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  return (
    <p role="alert" className="error">
      {text}
    </p>
  );
}

export function Loading() {
  const t = useMessages(commonMessages);
  return (
    <p role="status" aria-live="polite">
      {t('loading')}
    </p>
  );
}

/**
 * A delivery or item state, written out (as `label`, in the user's language, when given), with a
 * colour that only repeats the word.
 */
export function StateBadge({ state, label }: { state: string; label?: string }) {
  return <span className={`state state-${state}`}>{label ?? state}</span>;
}
