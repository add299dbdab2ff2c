import { useEffect, useRef, useState } from 'react';
import { api, ApiError, Schemas, unwrap } from '../../api/client';
import type { BuiltRequest } from './compose-form';
import { FormErrors, NO_ERRORS, placeProblems } from './field-errors';
import { diffPreviews, PreviewChanges } from './preview-diff';

export type Preview = Schemas['PreviewView'];

/** The API's refusal of a request, laid out on the form, with the rows its indicators came from. */
export interface Refusal {
  errors: FormErrors;
  indicatorRows: number[];
}

export const NO_REFUSAL: Refusal = { errors: NO_ERRORS, indicatorRows: [] };

export interface PreviewState {
  /** The last preview the API answered (kept, marked out of date, when a later request is refused). */
  preview: Preview | null;
  changes: PreviewChanges;
  /** The form changed since `preview`, and the API refused it or could not answer. */
  stale: boolean;
  /** A preview request is waiting for the pause in typing or for the API. */
  pending: boolean;
  /** What the API refused in the form as it is now (field by field). */
  refusal: Refusal;
  /** A failure that is not about a field (the API down, a 403…), in its words. */
  failure: string | null;
}

interface Answered extends Omit<PreviewState, 'pending'> {
  /** The request the API last answered (as sent). */
  answered: string | null;
}

const INITIAL: Answered = {
  preview: null,
  changes: { added: [], dropped: [] },
  stale: false,
  refusal: NO_REFUSAL,
  failure: null,
  answered: null,
};

export const PREVIEW_DELAY_MS = 400;

/**
 * Asks POST /items/preview who would receive the item, ~400 ms after the form last changed; only the
 * answer to the latest request counts. `request` null: nothing to preview yet (no TLP label chosen).
 */
export function usePreview(request: BuiltRequest | null): PreviewState {
  const [state, setState] = useState<Answered>(INITIAL);
  const latest = useRef(0);
  // The request as text: the effect runs again only when what would be sent changes.
  const sent = request ? JSON.stringify(request) : null;

  useEffect(() => {
    if (sent === null) return;
    const { body, indicatorRows } = JSON.parse(sent) as BuiltRequest;
    const call = ++latest.current;
    const timer = window.setTimeout(() => {
      const answer = unwrap(api.POST('/items/preview', { body: body as Schemas['CreateItemDto'] }));
      answer.then(
        (preview) => {
          if (call !== latest.current) return;
          setState((current) => ({
            preview,
            changes: diffPreviews(current.preview?.decisions ?? null, preview.decisions),
            stale: false,
            refusal: NO_REFUSAL,
            failure: null,
            answered: sent,
          }));
        },
        (error: unknown) => {
          if (call !== latest.current) return;
          const refused = error instanceof ApiError && error.status === 400;
          setState((current) => ({
            ...current,
            stale: current.preview !== null,
            answered: sent,
            refusal: refused ? { errors: placeProblems(error.details), indicatorRows } : NO_REFUSAL,
            failure:
              refused && error.details.length > 0 ? null : error instanceof Error ? error.message : String(error),
          }));
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [sent]);

  return { ...state, pending: sent !== null && sent !== state.answered };
}
