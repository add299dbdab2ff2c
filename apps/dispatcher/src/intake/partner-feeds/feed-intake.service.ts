import { Injectable } from '@nestjs/common';
import type { ExtractedIndicatorValue, SubmissionFlag } from '@tlp-broker/domain';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { SubmissionRecorder } from '@tlp-broker/intake';
import { NewSubmission, PartnerFeedEntity, SubmissionRepository } from '@tlp-broker/persistence';
import { readMispEvent, readStixObjects } from '@tlp-broker/stix';
import { strictestTlp, type PapLabel, type TlpLabel } from '@tlp-broker/tlp';
import {
  combinedLabels,
  ContentReading,
  Json,
  mergedIndicators,
  mispSealedPayloads,
  readOpenedContent,
  stixExternalId,
  stixSealedPayloads,
} from './feed-readings';
import { SealedContentReader } from './sealed-content';

/** One object (or report with what it gathers) or one event version, as found in the feed. */
interface Found {
  readonly externalId: string;
  /** What the feed served, as pretty JSON: the content when nothing in it is encrypted. */
  readonly served: string;
  readonly payloads: readonly Uint8Array[];
  readonly tlp: TlpLabel | null;
  readonly pap: PapLabel | null;
  readonly title: string | null;
  readonly indicators: readonly ExtractedIndicatorValue[];
  /** Some objects carry no TLP marking: held as TLP:AMBER unless the signed content is labelled. */
  readonly unmarked: boolean;
}

const AMBER: TlpLabel = 'TLP:AMBER';

/**
 * Takes what a partner's feed served in as submissions from that partner (source `feed`, sender
 * proven by the feed's configuration): its label and PAP as marked (none: held as TLP:AMBER with
 * `label-assumed`), its indicators, and its content: the JSON served, or, when it carries OpenPGP
 * messages, their decrypted content once the partner's signature is verified. What cannot be
 * opened or verified is recorded as refused, with the reason and nothing of what it carried.
 * Nobody sent these to the team: they are never acknowledged.
 */
@Injectable()
export class FeedIntake {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly recorder: SubmissionRecorder,
    private readonly submissions: SubmissionRepository,
    private readonly sealed: SealedContentReader,
  ) {}

  /** A STIX group (see stixGroups); true when it was new. */
  takeStix(feed: PartnerFeedEntity, group: readonly Json[]): Promise<boolean> {
    const reading = readStixObjects([...group]);
    return this.take(feed, {
      externalId: stixExternalId(group),
      served: JSON.stringify(group.length === 1 ? group[0] : group, null, 2),
      payloads: stixSealedPayloads(group),
      tlp: reading.tlp,
      pap: reading.pap,
      title: reading.title,
      indicators: reading.indicators,
      unmarked: reading.unmarked.length > 0,
    });
  }

  /** One version of a MISP event (`{Event: …}`); true when it was new. */
  takeMisp(feed: PartnerFeedEntity, uuid: string, timestamp: number, document: { Event: Json }): Promise<boolean> {
    const reading = readMispEvent(document);
    return this.take(feed, {
      externalId: `${uuid}@${timestamp}`,
      served: JSON.stringify(document, null, 2),
      payloads: mispSealedPayloads(document.Event),
      ...reading,
      unmarked: false,
    });
  }

  private async take(feed: PartnerFeedEntity, found: Found): Promise<boolean> {
    if (await this.submissions.byFeedObject(feed.id, found.externalId)) return false;
    const base: NewSubmission = {
      source: 'feed',
      status: 'verified',
      senderProof: 'feed',
      organisationId: feed.organisationId,
      partnerFeedId: feed.id,
      externalId: found.externalId,
      title: found.title,
      sizeBytes: 0,
      rawSizeBytes: Buffer.byteLength(found.served, 'utf8'),
    };
    let submission: NewSubmission;
    if (found.payloads.length === 0) submission = this.accepted(base, found, found.served, null);
    else {
      const opened = await this.sealed.open(found.payloads, feed.organisationId);
      submission = opened.ok
        ? {
            ...this.accepted(base, found, opened.text, readOpenedContent(opened.text)),
            encrypted: opened.encrypted,
            signerFingerprint: opened.signer.fingerprint,
            senderContactId: opened.signer.contactId,
          }
        : refused(base, found, opened.reason, opened.detail);
    }
    const recorded = await this.recorder.record(submission, { actor: `feed:${feed.id}`, acknowledge: false });
    return !recorded.repeated;
  }

  /** The labels of the outside and of the signed inside, the stricter of each; none (or unmarked objects) held as AMBER. */
  private accepted(base: NewSubmission, found: Found, content: string, inside: ContentReading | null): NewSubmission {
    const sizeBytes = Buffer.byteLength(content, 'utf8');
    if (sizeBytes > this.config.submissions.maxBytes)
      return refused(
        base,
        found,
        'too-large',
        `${sizeBytes} bytes of content, more than ${this.config.submissions.maxBytes} (SUBMISSION_MAX_BYTES)`,
      );
    const labels = combinedLabels(found, inside);
    const assumed = labels.tlp === null || (found.unmarked && !inside?.tlp);
    const flags: SubmissionFlag[] = assumed ? ['label-assumed'] : [];
    return {
      ...base,
      title: inside?.title ?? found.title,
      tlp: assumed ? strictestTlp(labels.tlp, AMBER) : labels.tlp,
      pap: labels.pap,
      indicators: mergedIndicators(found.indicators, inside?.indicators ?? []),
      flags,
      content,
      sizeBytes,
    };
  }
}

/** Recorded as refused: why, and nothing of the content. */
function refused(base: NewSubmission, found: Found, reason: string, detail: string): NewSubmission {
  return {
    ...base,
    status: 'rejected',
    tlp: found.tlp,
    pap: found.pap,
    reason,
    detail: detail.slice(0, 1_000),
    content: null,
    sizeBytes: 0,
  };
}
