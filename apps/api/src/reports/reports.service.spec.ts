import { BadRequestException, ForbiddenException, NotFoundException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { AcknowledgementSealer, Recorded, SubmissionRecorder } from '@tlp-broker/intake';
import type {
  ListedSubmission,
  NewSubmission,
  OrganisationRepository,
  PortalAccountOwner,
  SubmissionEntity,
  SubmissionRepository,
  UserRepository,
} from '@tlp-broker/persistence';
import { rejection } from '../../../../test/support/errors';
import { partnerPrincipal, staffPrincipal } from '../../../../test/support/mocks';
import type { ReportDto } from './reports.dto';
import { ReportsService } from './reports.service';

const RECEIVED_AT = new Date('2026-12-01T10:00:00Z');
const SUPPORT = {
  kind: 'support-request',
  title: 'Help with a seized phone',
  tlp: 'green',
  topic: 'Forensics',
  description: 'Seen at hxxp://x[.]example',
  urgency: 'normal',
} as ReportDto;
const OWNER: PortalAccountOwner = {
  contactId: 'contact-7',
  contactName: 'Camille Martin',
  contactStatus: 'active',
  organisationId: 'org-7',
  organisationName: 'Gendarmerie Cyber Unit',
  organisationStatus: 'active',
};
const reporter = staffPrincipal(['reporter'], 'u-reporter');
const analyst = staffPrincipal(['analyst'], 'u-analyst');

function reports(
  options: { acknowledged?: boolean; owner?: PortalAccountOwner | null; listed?: ListedSubmission[] } = {},
) {
  const recorder = {
    record: vi.fn<SubmissionRecorder['record']>(async (fields: NewSubmission): Promise<Recorded> => ({
      submission: { ...fields, id: 'sub-1', reference: 'PJ-2026-000009', receivedAt: RECEIVED_AT } as SubmissionEntity,
      repeated: false,
      acknowledgement: options.acknowledged ? ({ id: 'message-1' } as never) : null,
    })),
  };
  const submissions = { reports: vi.fn(async () => options.listed ?? []) };
  const organisations = {
    findById: vi.fn(async (id: string) => (id === 'org-7' ? { id } : null)),
    findContact: vi.fn(async (_organisation: string, id: string) => (id === 'contact-7' ? { id } : null)),
    knownOrganisations: vi.fn(async (ids: readonly string[]) => new Set(ids.filter((id) => id === 'org-7'))),
    knownContacts: vi.fn(async () => new Set<string>()),
  };
  const users = { portalAccountOwner: vi.fn(async () => (options.owner === undefined ? OWNER : options.owner)) };
  const acknowledgements = {
    seal: vi.fn(async (submission: SubmissionEntity) => `sealed acknowledgement of ${submission.reference}`),
  };
  const service = new ReportsService(
    recorder as unknown as SubmissionRecorder,
    submissions as unknown as SubmissionRepository,
    organisations as unknown as OrganisationRepository,
    users as unknown as UserRepository,
    acknowledgements as unknown as AcknowledgementSealer,
  );
  return { service, recorder, submissions, users, acknowledgements };
}

const fieldsOf = async (call: Promise<unknown>) =>
  ((await rejection(call, BadRequestException)).getResponse() as { details: { field: string }[] }).details.map(
    (detail) => detail.field,
  );

describe('ReportsService.submit', () => {
  it("records a partner tool's report as verified by its credential, its text rendered, and says it is acknowledged", async () => {
    const { service, recorder } = reports({ acknowledged: true });
    const receipt = await service.submit(SUPPORT, { ...partnerPrincipal(['submit']), contactId: 'contact-3' });
    expect(receipt).toEqual({
      id: 'sub-1',
      reference: 'PJ-2026-000009',
      kind: 'support-request',
      status: 'received',
      receivedAt: RECEIVED_AT,
      acknowledgement: 'queued',
      signedAcknowledgement: 'sealed acknowledgement of PJ-2026-000009',
    });
    const [fields, options] = recorder.record.mock.calls[0];
    expect(options).toEqual({ actor: 'channel:channel-1' });
    expect(fields).toMatchObject({
      source: 'form',
      status: 'verified',
      senderProof: 'credential',
      organisationId: 'org-1',
      channelId: 'channel-1',
      senderContactId: 'contact-3',
      reportKind: 'support-request',
      title: 'Help with a seized phone',
      tlp: 'TLP:GREEN',
      pap: null,
      consent: null,
      indicators: [{ type: 'url', value: 'http://x.example' }],
      report: { kind: 'support-request', topic: 'Forensics', tlp: 'TLP:GREEN' },
    });
    expect(fields.content).toContain('Request for technical support: Help with a seized phone');
    expect(fields.sizeBytes).toBe(Buffer.byteLength(fields.content!));
  });

  it("records a portal account's report as its contact's, and says when no acknowledgement can be mailed", async () => {
    const { service, recorder } = reports();
    const receipt = await service.submit(SUPPORT, reporter);
    expect(receipt.acknowledgement).toBe('none');
    expect(recorder.record).toHaveBeenCalledWith(
      expect.objectContaining({
        senderProof: 'portal',
        organisationId: 'org-7',
        senderContactId: 'contact-7',
        reporterUserId: 'u-reporter',
      }),
      { actor: 'user:u-reporter' },
    );
  });

  it('refuses a portal account whose contact or organisation is suspended, or that has no contact', async () => {
    const suspended = reports({ owner: { ...OWNER, organisationStatus: 'suspended' } });
    const refused = await rejection(suspended.service.submit(SUPPORT, reporter), ForbiddenException);
    expect(refused.message).toBe('Camille Martin of Gendarmerie Cyber Unit is suspended');
    expect(suspended.recorder.record).not.toHaveBeenCalled();
    await rejection(reports({ owner: null }).service.submit(SUPPORT, reporter), ForbiddenException);
  });

  it('records a report a team member took by phone from the organisation and contact named', async () => {
    const { service, recorder } = reports();
    await service.submit({ ...SUPPORT, organisationId: 'org-7', contactId: 'contact-7' } as ReportDto, analyst);
    expect(recorder.record).toHaveBeenCalledWith(
      expect.objectContaining({
        senderProof: 'staff',
        organisationId: 'org-7',
        senderContactId: 'contact-7',
        enteredBy: 'u-analyst',
      }),
      { actor: 'user:u-analyst' },
    );
  });

  it('answers 400 naming the organisation or contact a team member left out or got wrong', async () => {
    const { service, recorder } = reports();
    expect(await fieldsOf(service.submit(SUPPORT, analyst))).toEqual(['organisationId']);
    expect(await fieldsOf(service.submit({ ...SUPPORT, organisationId: 'org-x' } as ReportDto, analyst))).toEqual([
      'organisationId',
    ]);
    expect(
      await fieldsOf(service.submit({ ...SUPPORT, organisationId: 'org-7', contactId: 'c-x' } as ReportDto, analyst)),
    ).toEqual(['contactId']);
    expect(recorder.record).not.toHaveBeenCalled();
  });

  it('refuses who-sent-it fields from anyone but a team member, fields of the other form, and an unknown consent audience', async () => {
    const { service, recorder } = reports();
    const named = { ...SUPPORT, organisationId: 'org-7', contactId: 'contact-7' } as ReportDto;
    expect(await fieldsOf(service.submit(named, reporter))).toEqual(['organisationId', 'contactId']);
    expect(await fieldsOf(service.submit(named, partnerPrincipal(['submit'])))).toEqual([
      'organisationId',
      'contactId',
    ]);
    const mixed = {
      ...SUPPORT,
      caseReference: 'PJ-1',
      consent: { audience: { organisations: ['org-7', 'org-x'], contacts: ['c-x'] }, reference: 'mail' },
    } as ReportDto;
    expect(await fieldsOf(service.submit(mixed, analyst))).toEqual([
      'caseReference',
      'consent.audience.organisations',
      'consent.audience.contacts',
    ]);
    expect(recorder.record).not.toHaveBeenCalled();
  });

  it('keeps the consent the sender granted, with its audience and reference', async () => {
    const { service, recorder } = reports();
    await service.submit(
      { ...SUPPORT, consent: { audience: { organisations: ['org-7'] }, reference: ' letter 12 ' } } as ReportDto,
      partnerPrincipal(['submit']),
    );
    expect(recorder.record.mock.calls[0][0].consent).toEqual({
      audience: { communities: [], organisations: ['org-7'], contacts: [] },
      reference: 'letter 12',
    });
  });
});

describe('ReportsService status', () => {
  const listed = (fields: Partial<SubmissionEntity>, itemPublished = false): ListedSubmission => ({
    submission: {
      reference: 'PJ-2026-000001',
      reportKind: 'support-request',
      source: 'form',
      title: 'Help',
      receivedAt: RECEIVED_AT,
      triageState: 'received',
      closeReason: null,
      tlp: 'TLP:GREEN',
      ...fields,
    } as SubmissionEntity,
    organisation: null,
    contact: null,
    itemState: null,
    itemPublished,
    attachmentCount: 0,
  });

  it('shows each sender its own: a partner its organisation’s, a reporter its own and its contact’s, the team all', async () => {
    const { service, submissions } = reports();
    await service.list(partnerPrincipal(['submit']), 10);
    await service.list(reporter, 20);
    await service.list(staffPrincipal(['admin']));
    expect(submissions.reports.mock.calls).toEqual([
      [{ kind: 'organisation', organisationId: 'org-1' }, 10],
      [{ kind: 'reporter', userId: 'u-reporter', contactId: 'contact-7' }, 20],
      [{ kind: 'everyone' }, 100],
    ]);
  });

  it('says where a report stands: in triage, its item published, closed with the reason', async () => {
    const closed = reports({ listed: [listed({ triageState: 'closed', closeReason: 'duplicate' })] });
    expect(await closed.service.get(reporter, 'PJ-2026-000001')).toEqual({
      reference: 'PJ-2026-000001',
      kind: 'support-request',
      source: 'form',
      title: 'Help',
      receivedAt: RECEIVED_AT,
      status: 'closed',
      closedReason: 'duplicate',
      tlp: 'TLP:GREEN',
    });
    const published = reports({ listed: [listed({ triageState: 'in-triage' }, true)] });
    const view = await published.service.get(reporter, 'PJ-2026-000001');
    expect(view.status).toBe('item-published');
    expect(view).not.toHaveProperty('closedReason');
    expect(published.submissions.reports).toHaveBeenCalledWith(
      { kind: 'reporter', userId: 'u-reporter', contactId: 'contact-7' },
      1,
      'PJ-2026-000001',
    );
  });

  it('answers 404 for a reference that is not the sender’s', async () => {
    const error = await rejection(
      reports().service.get(partnerPrincipal(['submit']), 'PJ-2026-000002'),
      NotFoundException,
    );
    expect(error.getResponse()).toMatchObject({ details: [{ field: 'reference' }] });
  });
});
