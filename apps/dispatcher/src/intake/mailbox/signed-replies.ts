import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@tlp-broker/config';
import type { ReadMail } from '@tlp-broker/channels';
import type { KeyOwner } from '@tlp-broker/crypto';
import { AcknowledgementRecorder, AcknowledgementRepository, OrganisationRepository } from '@tlp-broker/persistence';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
/** What the broker's e-mail subjects carry: `[TLP:AMBER] alert 1a2b3c4d v1`. */
const SHORT_REFERENCE =
  /\b(?:alert|advisory|intel-report|threat-datasheet|announcement|annual-report) ([0-9a-f]{8})\b/gi;

/**
 * A signed reply acknowledges the urgent items it names: a message whose signature verified
 * against a registered partner key, naming an item's reference (in full, or as the subject of the
 * broker's message shows it), acknowledges it for that key's organisation — and only for it. The
 * reply is kept as a submission all the same.
 */
@Injectable()
export class SignedReplies {
  private readonly logger = new Logger('MailboxIntake');

  constructor(
    private readonly requests: AcknowledgementRepository,
    private readonly recorder: AcknowledgementRecorder,
    private readonly organisations: OrganisationRepository,
    private readonly clock: Clock,
  ) {}

  /** Acknowledges what `mail` names for its signer's organisation; returns the items acknowledged. */
  async acknowledge(mail: Pick<ReadMail, 'subject' | 'text'>, signer: KeyOwner): Promise<string[]> {
    const text = `${mail.subject}\n${mail.text}`;
    const itemIds = [...new Set([...text.matchAll(UUID)].map((match) => match[0].toLowerCase()))];
    const prefixes = [...new Set([...mail.subject.matchAll(SHORT_REFERENCE)].map((match) => match[1]!.toLowerCase()))];
    const open = await this.requests.openOf(signer.organisationId, itemIds, prefixes);
    if (open.length === 0) return [];
    const by = await this.signerName(signer);
    const at = this.clock.now();
    const acknowledged: string[] = [];
    for (const request of open) {
      const { recorded } = await this.recorder.record(request, {
        at,
        by,
        contactId: signer.contactId,
        via: 'signed-reply',
        deliveryId: null,
      });
      if (recorded) acknowledged.push(request.itemId);
    }
    if (acknowledged.length > 0)
      this.logger.log(`team mailbox: a reply signed by ${signer.fingerprint} acknowledged ${acknowledged.join(', ')}`);
    return acknowledged;
  }

  private async signerName(signer: KeyOwner): Promise<string> {
    const organisation = await this.organisations.findById(signer.organisationId);
    const contact = signer.contactId
      ? await this.organisations.findContact(signer.organisationId, signer.contactId)
      : null;
    const name = organisation?.name ?? signer.organisationId;
    return `${contact ? `${contact.name} (${name})` : name}, key ${signer.fingerprint}`;
  }
}
