import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { SubmissionRecorder } from '@tlp-broker/intake';
import {
  canonicalJson,
  NewSubmission,
  OrganisationRepository,
  TaxiiInboxStatusEntity,
  TaxiiInboxStatusRepository,
} from '@tlp-broker/persistence';
import { stixSchemaDirectory } from '@tlp-broker/stix';
import { PartnerPrincipal } from '../auth/principal';
import { canSubmit, inboxCollectionId, inboxMaxContentLength, inboxResource } from './inbox-collection';
import { envelopeObjects, InboxRequest, sortObjects, StatusDetail, StixRecord } from './inbox-envelope';
import { readInboxObjects } from './inbox-label';
import { statusResource, TaxiiStatusResource } from './inbox-status';
import type { TaxiiCollectionResource } from './taxii.service';
import { TaxiiError } from './taxii.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_DETAIL = 1_000;

/**
 * Each partner organisation's TAXII inbox: a collection its credentials holding the `submit` scope
 * post STIX 2.1 objects to. Every object is checked against the official STIX 2.1 schemas; the
 * valid ones of one post become one submission (through SubmissionRecorder, audited and
 * acknowledged like every way in), labelled with the most restrictive TLP marking among them, and
 * the post is answered with a TAXII status resource kept for the organisation to read again.
 * The same objects posted twice are one submission.
 */
@Injectable()
export class InboxService implements OnModuleInit {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly recorder: SubmissionRecorder,
    private readonly statuses: TaxiiInboxStatusRepository,
    private readonly organisations: OrganisationRepository,
  ) {}

  /** Start-up fails loudly when the schemas the inbox validates with are not where the broker reads them. */
  onModuleInit(): void {
    stixSchemaDirectory();
  }

  /** The credential's inbox collection when it may post to it; null otherwise (it is not shown). */
  async collection(partner: PartnerPrincipal): Promise<TaxiiCollectionResource | null> {
    if (!canSubmit(partner)) return null;
    const holder = await this.organisations.channelHolder(partner.channelId);
    if (!holder) throw new Error(`channel ${partner.channelId} of a live credential does not exist`);
    return inboxResource(partner.organisationId, holder.organisation);
  }

  /** Whether `collectionId` is the inbox this credential sees. */
  isInbox(partner: PartnerPrincipal, collectionId: string): boolean {
    return canSubmit(partner) && collectionId === inboxCollectionId(partner.organisationId);
  }

  /** One post to a collection: the objects taken, or a TAXII error when the collection takes none from this credential. */
  async add(partner: PartnerPrincipal, collectionId: string, request: InboxRequest): Promise<TaxiiStatusResource> {
    checkWritable(partner, collectionId);
    const requestTime = new Date();
    const { objects, bytes } = envelopeObjects(request, inboxMaxContentLength(this.config));
    const { taken, successes, failures } = sortObjects(objects, requestTime);
    const id = randomUUID();
    const submissionId = await this.record(partner, id, { objects, taken, failures, bytes });
    const row: TaxiiInboxStatusEntity = {
      id,
      organisationId: partner.organisationId,
      channelId: partner.channelId,
      submissionId,
      status: 'complete',
      requestTimestamp: requestTime,
      totalCount: objects.length,
      successCount: successes.length,
      failureCount: failures.length,
      pendingCount: 0,
      successes,
      failures,
    };
    await this.statuses.insert(row);
    return statusResource(row);
  }

  /** A status resource, for the organisation that posted only: any other gets the 404 of one that does not exist. */
  async status(partner: PartnerPrincipal, statusId: string): Promise<TaxiiStatusResource> {
    const row = UUID.test(statusId) ? await this.statuses.ofOrganisation(statusId, partner.organisationId) : null;
    if (!row)
      throw new TaxiiError(
        HttpStatus.NOT_FOUND,
        'Status not found',
        `There is no status ${statusId} for this credential.`,
      );
    return statusResource(row);
  }

  /**
   * The post as a submission from the credential's organisation (and contact, for a personal
   * channel): verified by the credential, holding the valid objects; when none is valid, a
   * rejected one keeping nothing but the reasons. Returns the submission's id (the first one's
   * when the same objects were posted before).
   */
  private async record(
    partner: PartnerPrincipal,
    statusId: string,
    post: { objects: StixRecord[]; taken: StixRecord[]; failures: StatusDetail[]; bytes: number },
  ): Promise<string> {
    const sender = {
      source: 'taxii',
      senderProof: 'credential',
      organisationId: partner.organisationId,
      channelId: partner.channelId,
      senderContactId: partner.contactId,
      externalId: statusId,
      rawSizeBytes: post.bytes,
    } as const;
    const submission: NewSubmission =
      post.taken.length > 0
        ? { ...sender, ...takenObjects(post.taken) }
        : {
            ...sender,
            status: 'rejected',
            reason: 'invalid-stix',
            detail: post.failures
              .map((failure) => `${failure.id}: ${failure.message}`)
              .join('\n')
              .slice(0, MAX_DETAIL),
            sizeBytes: 0,
            digest: digestOf(post.objects),
          };
    const recorded = await this.recorder.record(submission, { actor: `channel:${partner.channelId}` });
    return recorded.submission.id;
  }
}

/** The valid objects of a post as a verified submission's content, label and indicators. */
function takenObjects(taken: readonly StixRecord[]) {
  const reading = readInboxObjects(taken);
  const content = JSON.stringify(taken);
  return {
    status: 'verified',
    content,
    sizeBytes: Buffer.byteLength(content, 'utf8'),
    title: reading.title,
    tlp: reading.tlp,
    pap: reading.pap,
    flags: reading.flags,
    indicators: reading.indicators,
    digest: digestOf(taken),
  } as const;
}

/** SHA-256 of the objects, each written canonically, in a set order: the same objects posted again give the same digest. */
function digestOf(objects: readonly StixRecord[]): string {
  const canonical = objects.map((object) => canonicalJson(object)).sort();
  return createHash('sha256')
    .update(`[${canonical.join(',')}]`)
    .digest('hex');
}

/**
 * Only the credential's own inbox takes objects, and only from a credential holding `submit`:
 * its channel's collection is read-only (403), the inbox of its organisation without the scope is
 * closed to it (403), and any other collection does not exist for it (404).
 */
function checkWritable(partner: PartnerPrincipal, collectionId: string): void {
  if (collectionId === partner.channelId)
    throw new TaxiiError(
      HttpStatus.FORBIDDEN,
      'Read-only collection',
      'This collection cannot be written to; post STIX objects to your inbox collection (can_write: true).',
    );
  if (collectionId !== inboxCollectionId(partner.organisationId))
    throw new TaxiiError(
      HttpStatus.NOT_FOUND,
      'Collection not found',
      `There is no collection ${collectionId} for this credential.`,
    );
  if (!canSubmit(partner))
    throw new TaxiiError(
      HttpStatus.FORBIDDEN,
      'Not allowed to write',
      'This credential does not have the scope "submit": it cannot post to the inbox.',
    );
}
