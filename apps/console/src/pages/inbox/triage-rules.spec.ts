import { describe, expect, it } from 'vitest';
import { aSubmission, aSubmissionDetail } from './submission-fixtures';
import { draftRequest, initialDraft, placeProblems, replyState, triageSteps } from './triage-rules';

describe('triage steps', () => {
  it('are all open on a received submission with a confirmed label', () => {
    expect(triageSteps(aSubmission())).toEqual({ label: null, draft: null, attach: null, close: null });
  });

  it('hold drafting until the assumed label is confirmed', () => {
    expect(triageSteps(aSubmission({ flags: ['label-assumed'] }))).toEqual({
      label: null,
      draft: 'labelAssumed',
      attach: null,
      close: null,
    });
  });

  it('refuse what the API refuses, in its order: closed, rejected, linked to an item', () => {
    expect(triageSteps(aSubmission({ triageState: 'closed', itemId: 'i', flags: ['label-assumed'] }))).toEqual({
      label: 'closed',
      draft: 'closed',
      attach: 'closed',
      close: 'closed',
    });
    expect(triageSteps(aSubmission({ status: 'rejected', flags: ['label-assumed'] }))).toEqual({
      label: 'rejected',
      draft: 'rejected',
      attach: 'rejected',
      close: null,
    });
    expect(triageSteps(aSubmission({ itemId: 'i', triageState: 'in-triage' }))).toEqual({
      label: 'linked',
      draft: 'linked',
      attach: 'linked',
      close: null,
    });
  });
});

describe('a reply', () => {
  it('is never offered to an unverified or rejected sender', () => {
    const unverified = aSubmissionDetail({ status: 'unverified', verified: false, replyTo: null });
    expect(replyState(unverified, null).refusal).toBe('unverified');
    expect(replyState(aSubmissionDetail({ status: 'rejected', reference: null }), null).refusal).toBe('unverified');
  });

  it('is not offered to a sender with no e-mail route, nor once the API said the route went away', () => {
    expect(replyState(aSubmissionDetail({ replyTo: null }), null).refusal).toBe('noRoute');
    expect(replyState(aSubmissionDetail(), 'the sender has no active e-mail route').refusal).toBe('noRoute');
  });

  it('is offered to a verified sender with a route', () => {
    expect(replyState(aSubmissionDetail(), null)).toEqual({ refusal: null });
  });
});

describe('the draft item request', () => {
  const initial = initialDraft({ title: 'Skimmers found', content: 'Skimmers found\nIPs: 203.0.113.9' });

  it('is prefilled from the submission, and asks for nothing more when left as it is', () => {
    expect(initial).toEqual({
      type: 'advisory',
      title: 'Skimmers found',
      summary: '',
      body: 'Skimmers found\nIPs: 203.0.113.9',
      audience: { communities: [], organisations: [], contacts: [] },
    });
    expect(draftRequest(initial, initial)).toEqual({ type: 'advisory' });
    expect(initialDraft({ title: null, content: null })).toMatchObject({ title: '', body: '' });
  });

  it('carries what the analyst changed or added', () => {
    const changed = {
      type: 'alert' as const,
      title: '  Skimmers at fuel stations ',
      summary: ' Card data stolen. ',
      body: 'Skimmers found (case details left out)',
      audience: { communities: [], organisations: ['org-1'], contacts: [] },
    };
    expect(draftRequest(changed, initial)).toEqual({
      type: 'alert',
      title: 'Skimmers at fuel stations',
      summary: 'Card data stolen.',
      body: 'Skimmers found (case details left out)',
      audience: { communities: [], organisations: ['org-1'], contacts: [] },
    });
  });

  it("falls back to the submission's own title and content when they are emptied", () => {
    expect(draftRequest({ ...initial, title: '  ', body: '\n' }, initial)).toEqual({ type: 'advisory' });
  });
});

describe("the API's field problems", () => {
  const fields = {
    body: ['body', 'content'],
    audience: ['audience'],
    organisations: ['audience.organisations'],
  } as const;

  it('go to the control they concern, the most precise path first', () => {
    const placed = placeProblems(
      [
        { field: 'audience.organisations', message: 'name at least one organisation' },
        { field: 'content', message: 'no content to draft from: write its body' },
        { field: 'audience', message: 'audience must be an object' },
        { field: 'tlp', message: 'the label is assumed: confirm it first' },
      ],
      fields,
    );
    expect(placed).toEqual({
      byField: {
        organisations: 'name at least one organisation',
        body: 'no content to draft from: write its body',
        audience: 'audience must be an object',
      },
      other: ['the label is assumed: confirm it first'],
    });
  });

  it('join the messages about one control', () => {
    const placed = placeProblems(
      [
        { field: 'body', message: 'too long' },
        { field: 'body', message: 'not text' },
      ],
      fields,
    );
    expect(placed.byField.body).toBe('too long; not text');
  });
});
