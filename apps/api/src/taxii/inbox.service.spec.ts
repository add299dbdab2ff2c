import { HttpStatus } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type { SubmissionRecorder } from '@tlp-broker/intake';
import type {
  NewSubmission,
  OrganisationRepository,
  SubmissionEntity,
  TaxiiInboxStatusEntity,
  TaxiiInboxStatusRepository,
} from '@tlp-broker/persistence';
import { TLP_MARKINGS } from '@tlp-broker/stix';
import { partnerPrincipal } from '../../../../test/support/mocks';
import type { PartnerPrincipal } from '../auth/principal';
import { inboxCollectionId } from './inbox-collection';
import { InboxService } from './inbox.service';
import { TaxiiError } from './taxii.types';

const TAXII = 'application/taxii+json;version=2.1';
const INBOX = inboxCollectionId('org-1');
const submitter: PartnerPrincipal = { ...partnerPrincipal(['taxii', 'submit']), contactId: 'contact-7' };

const indicator = (n: number, extra: object = {}) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--3c5d7e9f-1a2b-4c3d-8e4f-${String(n).padStart(12, '0')}`,
  created: '2026-03-02T09:15:00.000Z',
  modified: '2026-03-02T09:15:00.000Z',
  pattern: `[ipv4-addr:value = '198.51.100.${n}']`,
  pattern_type: 'stix',
  valid_from: '2026-03-02T09:15:00Z',
  ...extra,
});

function inbox() {
  const recorder = {
    record: vi.fn(async (submission: NewSubmission) => ({
      submission: { id: 'submission-1', ...submission } as SubmissionEntity,
      repeated: false,
      acknowledgement: null,
    })),
  };
  const statuses = {
    insert: vi.fn(async () => undefined),
    ofOrganisation: vi.fn(async (): Promise<TaxiiInboxStatusEntity | null> => null),
  };
  const organisations = { channelHolder: vi.fn(async () => ({ organisation: 'Sender CERT', contact: null })) };
  const service = new InboxService(
    { submissions: { maxBytes: 64 * 1024 } } as AppConfig,
    recorder as unknown as SubmissionRecorder,
    statuses as unknown as TaxiiInboxStatusRepository,
    organisations as unknown as OrganisationRepository,
  );
  const add = (objects: unknown[], partner = submitter, collection = INBOX) =>
    service.add(partner, collection, { contentType: TAXII, contentLength: undefined, body: { objects } });
  return { service, recorder, statuses, add };
}

const status = (error: unknown) => (error instanceof TaxiiError ? error.getStatus() : error);

describe('InboxService', () => {
  it('records the valid objects of a post as one verified submission and answers its status resource', async () => {
    const { recorder, statuses, add } = inbox();
    const red = indicator(1, { object_marking_refs: [TLP_MARKINGS['TLP:RED'].id] });
    const { pattern_type: _dropped, ...bad } = indicator(2);
    void _dropped;
    const resource = await add([red, bad, indicator(3)]);
    const [submission, options] = recorder.record.mock.calls[0] as unknown as [NewSubmission, { actor: string }];
    expect(submission).toMatchObject({
      source: 'taxii',
      status: 'verified',
      senderProof: 'credential',
      organisationId: 'org-1',
      channelId: 'channel-1',
      senderContactId: 'contact-7',
      externalId: resource.id,
      tlp: 'TLP:RED',
      flags: [],
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(JSON.parse(submission.content!)).toEqual([red, indicator(3)]);
    expect(submission.indicators).toEqual([
      { type: 'ipv4', value: '198.51.100.1' },
      { type: 'ipv4', value: '198.51.100.3' },
    ]);
    expect(options).toEqual({ actor: 'channel:channel-1' });
    expect(resource).toMatchObject({
      status: 'complete',
      total_count: 3,
      success_count: 2,
      successes: [
        { id: red.id, version: red.modified },
        { id: indicator(3).id, version: red.modified },
      ],
      failure_count: 1,
      failures: [{ id: bad.id, version: bad.modified, message: "must have required property 'pattern_type'" }],
      pending_count: 0,
    });
    expect(statuses.insert).toHaveBeenCalledWith(
      expect.objectContaining({ id: resource.id, organisationId: 'org-1', submissionId: 'submission-1' }),
    );
  });

  it('gives the same objects posted again, in any order, the same digest', async () => {
    const { recorder, add } = inbox();
    await add([indicator(1), indicator(2)]);
    await add([indicator(2), indicator(1)]);
    const [first, second] = recorder.record.mock.calls.map(([submission]) => submission);
    expect(first.digest).toBe(second.digest);
    expect(first.externalId).not.toBe(second.externalId);
  });

  it('records a post with no valid object as rejected, keeping only the reasons', async () => {
    const { recorder, add } = inbox();
    const resource = await add([indicator(1, { valid_from: 'never' })]);
    const [submission] = recorder.record.mock.calls[0];
    expect(submission).toMatchObject({ status: 'rejected', reason: 'invalid-stix', sizeBytes: 0 });
    expect(submission.content).toBeUndefined();
    expect(submission.detail).toMatch(/^indicator--.*: valid_from must match pattern/);
    expect(resource).toMatchObject({ success_count: 0, failure_count: 1 });
  });

  it("refuses the credential's read collection (403), another organisation's inbox (404), and a credential without submit (403)", async () => {
    const { recorder, add } = inbox();
    const refusals = await Promise.all([
      add([indicator(1)], submitter, 'channel-1').catch((error: unknown) => error),
      add([indicator(1)], submitter, inboxCollectionId('org-2')).catch((error: unknown) => error),
      add([indicator(1)], partnerPrincipal(['taxii', 'feed']), INBOX).catch((error: unknown) => error),
    ]);
    expect(refusals.map(status)).toEqual([HttpStatus.FORBIDDEN, HttpStatus.NOT_FOUND, HttpStatus.FORBIDDEN]);
    expect(recorder.record).not.toHaveBeenCalled();
  });

  it('shows a status only to the organisation that posted: any other id is a 404 without a query', async () => {
    const { service, statuses } = inbox();
    const id = '0f6d3b5e-2a4c-4e8d-9b1f-7c3a5e9d1b2f';
    expect(status(await service.status(submitter, id).catch((error: unknown) => error))).toBe(404);
    expect(statuses.ofOrganisation).toHaveBeenCalledWith(id, 'org-1');
    statuses.ofOrganisation.mockClear();
    expect(status(await service.status(submitter, 'not-a-uuid').catch((error: unknown) => error))).toBe(404);
    expect(statuses.ofOrganisation).not.toHaveBeenCalled();
  });
});
