import { RefObject, useEffect, useRef } from 'react';
import { ApiError } from '../../api/client';

/** A ref to an element that takes the focus each time `trigger` becomes something new (a result, an answer). */
export function useFocusWhen<E extends HTMLElement>(trigger: unknown): RefObject<E | null> {
  const ref = useRef<E>(null);
  useEffect(() => {
    if (trigger) ref.current?.focus();
  }, [trigger]);
  return ref;
}

/**
 * When a change fails, the focus goes to the first control the API named (its words are under
 * it), or else to the form's error message.
 */
export function useFocusProblem(form: RefObject<HTMLFormElement | null>, error: unknown): void {
  useEffect(() => {
    if (!error || !form.current) return;
    const target =
      form.current.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      form.current.querySelector<HTMLElement>('fieldset:has(.field-error) input') ??
      form.current.querySelector<HTMLElement>('.inbox-problems');
    target?.focus();
  }, [error, form]);
}

/** The failure no control of the form takes, in the API's words (or the network's). */
export function FormProblems({ error, other }: { error: Error | null; other: readonly string[] }) {
  const text = error instanceof ApiError ? other.join(' ') : (error?.message ?? '');
  if (!text) return null;
  return (
    <p role="alert" className="error inbox-problems" tabIndex={-1}>
      {text}
    </p>
  );
}
