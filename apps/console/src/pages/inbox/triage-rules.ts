/**
 * Which triage steps a submission's state allows (the API answers 409 otherwise, and the screen
 * says why before anyone tries), the draft item request made from the form, and where the API's
 * field problems are shown. Pure: no DOM.
 */
import type { ItemKind } from '@tlp-broker/domain';
import type { FieldProblem, Schemas } from '../../api/client';
import type { Submission, SubmissionDetail } from './submission-words';

/** Why a step cannot be taken now: closed, rejected (nothing kept), already linked to an item, label still assumed. */
export type StepRefusal = 'closed' | 'rejected' | 'linked' | 'labelAssumed';

export interface TriageSteps {
  readonly label: StepRefusal | null;
  readonly draft: StepRefusal | null;
  readonly attach: StepRefusal | null;
  readonly close: StepRefusal | null;
}

/** The API's own order of refusals (TriageService): closed, then rejected, then linked, then (drafting) the assumed label. */
export function triageSteps(submission: Submission): TriageSteps {
  const common: StepRefusal | null =
    submission.triageState === 'closed'
      ? 'closed'
      : submission.status === 'rejected'
        ? 'rejected'
        : submission.itemId
          ? 'linked'
          : null;
  return {
    label: common,
    draft: common ?? (submission.flags.includes('label-assumed') ? 'labelAssumed' : null),
    attach: common,
    close: submission.triageState === 'closed' ? 'closed' : null,
  };
}

export type Message = Schemas['SubmissionMessageView'];

/**
 * Whether a reply can be written: never to an unverified (or rejected) sender, who may be anyone a
 * header named, nor to one with no e-mail route with a usable key (`replyTo` null: the API would
 * refuse it); `refusedRoute`, the API's words when a route went away since the page was read.
 */
export function replyState(
  submission: SubmissionDetail,
  refusedRoute: string | null,
): { refusal: 'unverified' | 'noRoute' | null } {
  if (submission.status !== 'verified' || !submission.reference) return { refusal: 'unverified' };
  if (refusedRoute || !submission.replyTo) return { refusal: 'noRoute' };
  return { refusal: null };
}

export interface Audience {
  communities: string[];
  organisations: string[];
  contacts: string[];
}

/** The draft item form: prefilled from the submission, changed by the analyst. */
export interface DraftForm {
  type: ItemKind;
  title: string;
  summary: string;
  body: string;
  audience: Audience;
}

export function initialDraft(submission: { title: string | null; content: string | null }): DraftForm {
  return {
    type: 'advisory',
    title: submission.title ?? '',
    summary: '',
    body: submission.content ?? '',
    audience: { communities: [], organisations: [], contacts: [] },
  };
}

/**
 * POST /submissions/:id/draft-item's body: only what the analyst changed or added. Left as it was
 * (or emptied), the title and body are the submission's own, which the API takes itself (the
 * title made to fit an item's); the label is always the submission's.
 */
export function draftRequest(form: DraftForm, initial: DraftForm): Schemas['DraftItemDto'] {
  const title = form.title.trim();
  const summary = form.summary.trim();
  const audience = form.audience;
  const anyAudience = audience.communities.length + audience.organisations.length + audience.contacts.length > 0;
  return {
    type: form.type,
    ...(title && title !== initial.title.trim() ? { title } : {}),
    ...(summary ? { summary } : {}),
    ...(form.body.trim() && form.body !== initial.body ? { body: form.body } : {}),
    ...(anyAudience ? { audience } : {}),
  };
}

/**
 * The API's field problems on the form's controls: `fields` maps each control to the request paths
 * shown on it (`audience.organisations` on the organisations list, `content` on the body…); what no
 * control takes is `other`, shown above the buttons.
 */
export function placeProblems<F extends string>(
  problems: readonly FieldProblem[],
  fields: Readonly<Record<F, readonly string[]>>,
): { byField: Partial<Record<F, string>>; other: string[] } {
  const byField: Partial<Record<F, string>> = {};
  const other: string[] = [];
  const entries = Object.entries(fields) as [F, readonly string[]][];
  for (const problem of problems) {
    const matches = (path: string) =>
      problem.field === path || problem.field.startsWith(`${path}.`) || problem.field.startsWith(`${path}[`);
    // The most precise path wins: `audience.organisations` before `audience`.
    const found = entries
      .flatMap(([control, paths]) => paths.filter(matches).map((path) => ({ control, length: path.length })))
      .sort((a, b) => b.length - a.length)[0];
    if (!found) other.push(problem.message);
    else
      byField[found.control] = byField[found.control]
        ? `${byField[found.control]}; ${problem.message}`
        : problem.message;
  }
  return { byField, other };
}
