import { ForbiddenException, Injectable } from '@nestjs/common';
import type { Audience } from '@tlp-broker/domain';
import { AcknowledgementSealer, SubmissionRecorder } from '@tlp-broker/intake';
import {
  NewSubmission,
  OrganisationRepository,
  PortalAccountOwner,
  ReportScope,
  SubmissionRepository,
  UserRepository,
} from '@tlp-broker/persistence';
import { parsePapLabel, parseTlpLabel, PapLabel, TlpLabel } from '@tlp-broker/tlp';
import { PartnerPrincipal, Principal, StaffPrincipal } from '../auth/principal';
import { FieldProblem, invalidField, invalidFields } from '../common/errors';
import { notFound } from '../submissions/submission-answers';
import { foreignFields, readReport, renderReport } from './report-form';
import { ReportReceiptView, reportStatusView, ReportStatusView } from './report-views';
import { ReportDto } from './reports.dto';

/** Who sent a report, as the submission records it, and who the audit trail names. */
interface Sender {
  readonly actor: string;
  readonly fields: Pick<
    NewSubmission,
    'senderProof' | 'organisationId' | 'channelId' | 'senderContactId' | 'reporterUserId' | 'enteredBy'
  >;
}

/**
 * The reporting forms (POST /reports): a partner's tool with the `submit` scope, a reporter's
 * portal account, or a team member entering a report taken by phone. Each sender is proven (the
 * credential, the signed-in account, the team member), so every report is verified, stored
 * through the recorder (with its audit event and the acknowledgement to the sender), and its
 * status is then visible to its sender only — or to the team.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly recorder: SubmissionRecorder,
    private readonly submissions: SubmissionRepository,
    private readonly organisations: OrganisationRepository,
    private readonly users: UserRepository,
    private readonly acknowledgements: AcknowledgementSealer,
  ) {}

  async submit(dto: ReportDto, principal: Principal): Promise<ReportReceiptView> {
    const labels = labelsOf(dto);
    const problems = [...foreignFields(dto), ...(await this.consentProblems(dto.consent?.audience))];
    if (problems.length > 0) throw invalidFields(problems);
    const sender = await this.sender(dto, principal);
    const { fields, indicators } = readReport(dto, labels);
    const content = renderReport(fields);
    const recorded = await this.recorder.record(
      {
        ...sender.fields,
        source: 'form',
        status: 'verified',
        reportKind: fields.kind,
        report: fields,
        title: fields.title,
        ...labels,
        consent: dto.consent
          ? { audience: audienceOf(dto.consent.audience), reference: dto.consent.reference.trim() }
          : null,
        content,
        indicators,
        sizeBytes: Buffer.byteLength(content, 'utf8'),
        rawSizeBytes: Buffer.byteLength(JSON.stringify(dto), 'utf8'),
      },
      { actor: sender.actor },
    );
    const row = recorded.submission;
    return {
      id: row.id,
      reference: row.reference ?? '',
      kind: fields.kind,
      status: 'received',
      receivedAt: row.receivedAt,
      acknowledgement: recorded.acknowledgement ? 'queued' : 'none',
      signedAcknowledgement: await this.acknowledgements.seal(row),
    };
  }

  /** The sender's own reports (the team: everyone's), newest first. */
  async list(principal: Principal, limit = 100): Promise<ReportStatusView[]> {
    return (await this.submissions.reports(await this.scope(principal), limit)).map(reportStatusView);
  }

  /** One of the sender's reports; 404 for any other reference, whether or not it exists. */
  async get(principal: Principal, reference: string): Promise<ReportStatusView> {
    const [found] = await this.submissions.reports(await this.scope(principal), 1, reference);
    if (!found) throw notFound('reference', `no report ${reference} of yours`);
    return reportStatusView(found);
  }

  private async scope(principal: Principal): Promise<ReportScope> {
    if (principal.kind === 'partner') return { kind: 'organisation', organisationId: principal.organisationId };
    if (!isReporter(principal)) return { kind: 'everyone' };
    const owner = await this.reporter(principal);
    return { kind: 'reporter', userId: principal.userId, contactId: owner.contactId };
  }

  private async sender(dto: ReportDto, principal: Principal): Promise<Sender> {
    if (principal.kind === 'partner' || isReporter(principal)) refuseEnteredFields(dto);
    if (principal.kind === 'partner') return partnerSender(principal);
    if (isReporter(principal)) {
      const owner = await this.reporter(principal);
      return {
        actor: `user:${principal.userId}`,
        fields: {
          senderProof: 'portal',
          organisationId: owner.organisationId,
          senderContactId: owner.contactId,
          reporterUserId: principal.userId,
        },
      };
    }
    return this.enteredBy(dto, principal);
  }

  /** A report a team member took by phone: from the organisation (and contact) it names. */
  private async enteredBy(dto: ReportDto, member: StaffPrincipal): Promise<Sender> {
    if (!dto.organisationId) throw invalidField('organisationId', 'name the organisation the report came from');
    if (!(await this.organisations.findById(dto.organisationId)))
      throw invalidField('organisationId', `unknown organisation ${dto.organisationId}`);
    if (dto.contactId && !(await this.organisations.findContact(dto.organisationId, dto.contactId)))
      throw invalidField('contactId', `organisation ${dto.organisationId} has no contact ${dto.contactId}`);
    return {
      actor: `user:${member.userId}`,
      fields: {
        senderProof: 'staff',
        organisationId: dto.organisationId,
        senderContactId: dto.contactId ?? null,
        enteredBy: member.userId,
      },
    };
  }

  /** The contact a portal account reports for; 403 while it, or its organisation, is suspended. */
  private async reporter(principal: StaffPrincipal): Promise<PortalAccountOwner> {
    const owner = await this.users.portalAccountOwner(principal.userId);
    if (!owner) throw new ForbiddenException('this account is not a portal account of a contact');
    if (owner.contactStatus !== 'active' || owner.organisationStatus !== 'active')
      throw new ForbiddenException(`${owner.contactName} of ${owner.organisationName} is suspended`);
    return owner;
  }

  /** The sender's consent must name partners and communities the team knows: an item drafted from the report carries it. */
  private async consentProblems(audience: Partial<Audience> | undefined): Promise<FieldProblem[]> {
    if (!audience) return [];
    const { communities, organisations, contacts } = audienceOf(audience);
    const problems: FieldProblem[] = [];
    const field = 'consent.audience';
    if (communities.length + organisations.length + contacts.length === 0)
      problems.push({ field, message: 'name whom you consent to share with' });
    const knownOrganisations = await this.organisations.knownOrganisations(organisations);
    const unknownOrganisations = organisations.filter((id) => !knownOrganisations.has(id));
    if (unknownOrganisations.length > 0)
      problems.push({
        field: `${field}.organisations`,
        message: `unknown organisation ${unknownOrganisations.join(', ')}`,
      });
    const knownContacts = await this.organisations.knownContacts(contacts);
    const unknownContacts = contacts.filter((id) => !knownContacts.has(id));
    if (unknownContacts.length > 0)
      problems.push({ field: `${field}.contacts`, message: `unknown contact ${unknownContacts.join(', ')}` });
    return problems;
  }
}

function isReporter(principal: StaffPrincipal): boolean {
  return principal.roles.includes('reporter');
}

function partnerSender(partner: PartnerPrincipal): Sender {
  return {
    actor: `channel:${partner.channelId}`,
    fields: {
      senderProof: 'credential',
      organisationId: partner.organisationId,
      channelId: partner.channelId,
      senderContactId: partner.contactId,
    },
  };
}

/** Only a team member entering a report taken by phone names who it came from; anyone else is who they are. */
function refuseEnteredFields(dto: ReportDto): void {
  const named = (['organisationId', 'contactId'] as const).filter((field) => dto[field] !== undefined);
  if (named.length > 0)
    throw invalidFields(
      named.map((field) => ({
        field,
        message: `${field} is given only by a team member entering a report taken by phone: a report comes from its sender`,
      })),
    );
}

/** The report's labels in TLP 2.0 spelling (the DTO checked that they read). */
function labelsOf(dto: ReportDto): { tlp: TlpLabel; pap: PapLabel | null } {
  const tlp = parseTlpLabel(dto.tlp);
  const pap = dto.pap === undefined ? null : parsePapLabel(dto.pap);
  if (!tlp.ok) throw invalidField('tlp', tlp.error);
  if (pap && !pap.ok) throw invalidField('pap', pap.error);
  return { tlp: tlp.label, pap: pap ? pap.label : null };
}

function audienceOf(audience: Partial<Audience>): Audience {
  return {
    communities: audience.communities ?? [],
    organisations: audience.organisations ?? [],
    contacts: audience.contacts ?? [],
  };
}
