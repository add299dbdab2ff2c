import { describe, expect, it } from 'vitest';
import { aSubmission } from './submission-fixtures';
import { draftRequest, initialDraft, Message, placeProblems, replyState, triageSteps } from './triage-rules';

const acknowledgement: Message = {
  id: 'm-1',
  kind: 'acknowledgement',
  state: 'sent',
  toName: 'Peer CERT',
  toAddress: 'soc@peer.example',
  recipientFingerprint: 'AB12',
  attempts: 1,
  lastError: null,
  createdBy: 'channel:c-1',
  createdAt: '2026-12-01T10:00:00Z',
  sentAt: '2026-12-01T10:00:05Z',
};

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
    const unverified = aSubmission({ status: 'unverified', verified: false });
    expect(replyState(unverified, [], null).refusal).toBe('unverified');
    expect(replyState(aSubmission({ status: 'rejected', reference: null }), [], null).refusal).toBe('unverified');
  });

  it('is refused once the API said the sender has no e-mail route', () => {
    expect(replyState(aSubmission(), [acknowledgement], 'the sender has no active e-mail route')).toEqual({
      refusal: 'noRoute',
      noAcknowledgement: false,
    });
  });

  it('is offered to a verified sender, with a warning when it got no acknowledgement', () => {
    expect(replyState(aSubmission(), [acknowledgement], null)).toEqual({ refusal: null, noAcknowledgement: false });
    expect(replyState(aSubmission(), [], null)).toEqual({ refusal: null, noAcknowledgement: true });
    expect(replyState(aSubmission(), undefined, null)).toEqual({ refusal: null, noAcknowledgement: false });
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
