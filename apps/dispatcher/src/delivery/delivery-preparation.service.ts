import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { mimeEntityForItem, OpenPgpService, SealedPayload, TeamKeyService } from '@tlp-broker/crypto';
import {
  AcknowledgementLinks,
  AcknowledgementRepository,
  DecisionEntity,
  DecisionRepository,
  DeliveryEntity,
  DeliveryRepository,
  ItemEntity,
  ItemRepository,
  ItemVersionEntity,
  PartnerDirectory,
  policyChannel,
  policyItem,
  policyKey,
  policyOrganisation,
  DeliveryTarget,
  SealedPayloadEntity,
  SealedPayloadRepository,
  VersionHanded,
} from '@tlp-broker/persistence';
import { canEncryptTo, decide, DutyContext } from '@tlp-broker/tlp';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import {
  AcknowledgementAsked,
  itemDocument,
  itemText,
  RecallNotice,
  recallDocument,
  recallText,
} from '../item-document';
import { isUrgent } from '@tlp-broker/domain';
import { Cancellation, DeliveryContext, formFor, isCancellation, Outgoing, Prepared } from './outgoing';

/** What the deliveries of one item version share, each made once. */
export interface SharedMessages {
  sealed(form: 'mime' | 'document'): Promise<SealedPayloadEntity>;
  signedDocument(): Promise<string>;
}

/**
 * Prepares one delivery as it is carried out. The rules are applied again with a fresh reading of
 * the recipient's key and the item's state: a partner suspended, a key revoked or expired, an item
 * retracted or superseded while the delivery was queued stops it here. What may go is built for
 * its channel: the item (the sealed payload addressed to the recipient's key, or signed only for
 * TLP:CLEAR without a usable key) or a recall notice.
 */
@Injectable()
export class DeliveryPreparationService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly directory: PartnerDirectory,
    private readonly items: ItemRepository,
    private readonly decisions: DecisionRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly sealedPayloads: SealedPayloadRepository,
    private readonly openpgp: OpenPgpService,
    private readonly teamKey: TeamKeyService,
    private readonly acknowledgements: AcknowledgementRepository,
    private readonly links: AcknowledgementLinks,
  ) {}

  /** Reads what the delivery is checked against now: its recipient, item, the recipient's key and the team's. */
  async context(delivery: DeliveryEntity): Promise<DeliveryContext> {
    const [target, version] = await Promise.all([
      this.directory.target(delivery.channelId),
      this.items.findVersion(delivery.itemVersionId),
    ]);
    if (!target) throw new UnrecoverableError(`channel ${delivery.channelId} of delivery ${delivery.id} not found`);
    if (!version) throw new Error(`item version ${delivery.itemVersionId} of delivery ${delivery.id} not found`);
    const item = await this.items.findById(version.itemId);
    if (!item) throw new Error(`item ${version.itemId} of delivery ${delivery.id} not found`);
    const [context] = await this.contextsOf([{ delivery, target }], item, version);
    return context;
  }

  /**
   * The contexts of several deliveries of one item version, read together: the recipients in one
   * read, the team key once, and for each recipient with a key, in one go in the key pool, the
   * key's state now and the version's sealed payload addressed to it (used if the rules, applied
   * to that state, let it go encrypted). A delivery whose channel is gone is left out (carried on
   * its own, it fails visibly). With them, what the deliveries share.
   */
  async contextsFor(deliveries: readonly DeliveryEntity[], item: ItemEntity, version: ItemVersionEntity) {
    const targets = new Map(
      (await this.directory.targets(deliveries.map((delivery) => delivery.channelId))).map((t) => [t.channel.id, t]),
    );
    const found = deliveries.flatMap((delivery) => {
      const target = targets.get(delivery.channelId);
      return target ? [{ delivery, target }] : [];
    });
    const { teamKey, publisher } = await this.signer();
    const shared = this.sharedMessages({ item, version, teamKey, publisher });
    const now = new Date();
    const contexts = await Promise.all(
      found.map(async ({ delivery, target }): Promise<DeliveryContext> => {
        const base = { delivery, target, item, version, teamKey, publisher, now };
        if (!target.key) return { ...base, reading: undefined };
        const sealed = sealedPayloadOf(await shared.sealed(formFor(target)));
        const { state, message } = await this.openpgp.readAndAddress(
          target.key.armored,
          target.key.fingerprint,
          sealed,
          now,
        );
        return { ...base, reading: state, addressed: message };
      }),
    );
    return { contexts, shared };
  }

  private async contextsOf(
    recipients: readonly { delivery: DeliveryEntity; target: DeliveryTarget }[],
    item: ItemEntity,
    version: ItemVersionEntity,
  ): Promise<DeliveryContext[]> {
    const now = new Date();
    const { teamKey, publisher } = await this.signer();
    return Promise.all(
      recipients.map(async ({ delivery, target }) => {
        const reading = target.key ? await this.openpgp.keyStateAt(target.key.armored, now) : undefined;
        return { delivery, target, item, version, reading, teamKey, publisher, now };
      }),
    );
  }

  private async signer() {
    const team = await this.teamKey.current();
    return { teamKey: team.key, publisher: { name: this.teamKey.publisherName(), fingerprint: team.info.fingerprint } };
  }

  /** The message to send, or why the delivery stops here. */
  prepare(context: DeliveryContext): Promise<Prepared> {
    return context.delivery.kind === 'recall' ? this.prepareRecall(context) : this.prepareItem(context);
  }

  private async prepareItem(context: DeliveryContext): Promise<Prepared> {
    const { delivery } = context;
    if (delivery.decisionId === null) throw new UnrecoverableError(`item delivery ${delivery.id} has no decision`);
    const decision = await this.decisions.get(delivery.decisionId);
    const stopped = await this.overtakenWhileQueued(context);
    if (stopped) return stopped;
    return this.prepareItemWith(context, decision, this.sharedMessages(context));
  }

  /** What one version's deliveries share: its sealed payloads and its signed-only document, each made once. */
  sharedMessages({
    item,
    version,
    publisher,
    teamKey,
  }: Pick<DeliveryContext, 'item' | 'version' | 'publisher' | 'teamKey'>): SharedMessages {
    const sealed = new Map<string, Promise<SealedPayloadEntity>>();
    let signed: Promise<string> | null = null;
    return {
      sealed: (form) => {
        if (!sealed.has(form)) sealed.set(form, this.sealedPayloads.get(version.id, form));
        return sealed.get(form)!;
      },
      signedDocument: () => (signed ??= this.openpgp.signOnly(itemDocument(item, version, publisher), teamKey)),
    };
  }

  /**
   * An item delivery with its decision read: the rules applied again, then the message built.
   * Whether the item was retracted or superseded meanwhile is checked by the caller.
   */
  async prepareItemWith(context: DeliveryContext, decision: DecisionEntity, shared: SharedMessages): Promise<Prepared> {
    const { target, item, version, now } = context;
    const key = policyKey(target.key, context.reading);
    const recheck = decide({
      item: policyItem(item, version, this.config.urgency),
      // Whether its duty was wanted was settled at routing; what changes since (suspension, keys) is checked again.
      organisation: policyOrganisation(target, target.channel.onCall ? routedDuty(target) : null),
      channel: policyChannel(target, key),
      now,
      team: this.config.team,
    });
    if (!recheck.allow) return { cancel: recheck.reason, code: recheck.code };
    if (target.channel.kind === 'pager') return page(context);
    // The engine lets only TLP:CLEAR reach a recipient without a usable key: it goes signed, not encrypted.
    const encrypt = canEncryptTo(key, now);
    // An acknowledgement link only ever travels encrypted: whoever uses it has read the message.
    const asked = encrypt ? await this.acknowledgementAsked(context) : null;
    return {
      target,
      item,
      version,
      entry: 'item',
      tlp: version.tlp,
      handling: decision.handling,
      message: asked ? await this.askingMessage(context, asked) : await this.itemMessage(context, encrypt, shared),
      keyFingerprint: encrypt ? key.fingerprint : null,
      clearEntity: () => mimeEntityForItem(itemText(item, version, context.publisher)),
      webhookFields: {
        format: 'tlp-broker/delivery@1',
        version: version.version,
        type: item.kind,
        tlp: version.tlp,
        pap: version.pap,
        handling: decision.handling,
      },
    };
  }

  /** For a recipient asked to acknowledge an urgent item: its one-time link and deadline. */
  private async acknowledgementAsked({ item, version, target, delivery }: DeliveryContext) {
    if (!isUrgent(item.kind, version.severity, this.config.urgency)) return null;
    const request = await this.acknowledgements.find(item.id, target.organisation.id);
    if (!request) return null;
    return { url: this.links.url(delivery.id), deadline: request.escalateAt };
  }

  /**
   * The item with this recipient's own acknowledgement link: signed and encrypted for it alone,
   * since the message it shares with the other recipients cannot carry a link of its own.
   */
  private async askingMessage(context: DeliveryContext, asked: AcknowledgementAsked): Promise<string> {
    const { target, item, version, publisher, teamKey } = context;
    const plaintext =
      formFor(target) === 'mime'
        ? mimeEntityForItem(itemText(item, version, publisher, asked))
        : itemDocument(item, version, publisher, asked);
    const sealed = await this.openpgp.sealOnce(plaintext, teamKey);
    return this.openpgp.addressTo(sealed, target.key!.fingerprint, target.key!.armored);
  }

  /** The item was retracted, or a later version was routed, while this delivery waited. */
  private async overtakenWhileQueued({ item, version }: DeliveryContext): Promise<Cancellation | null> {
    if (item.state === 'retracted')
      return { cancel: 'The item was retracted before this delivery was sent.', code: 'item.retracted' };
    const later = await this.decisions.latestRoutedVersionAfter(item.id, version.version);
    if (later !== null)
      return { cancel: `Superseded by version ${later} before it was sent.`, code: 'item.superseded' };
    return null;
  }

  /** The version sealed once at routing, addressed to the recipient's key; or signed only (a feed or webhook without a usable key). */
  private async itemMessage(
    context: DeliveryContext,
    encrypt: boolean,
    shared: SharedMessages,
  ): Promise<string | null> {
    const { target } = context;
    const form = formFor(target);
    if (encrypt) {
      // Addressed already when the key was read (a batch), or now.
      if (typeof context.addressed === 'string') return context.addressed;
      const sealed = sealedPayloadOf(await shared.sealed(form));
      return this.openpgp.addressTo(sealed, target.key!.fingerprint, target.key!.armored);
    }
    if (form === 'document') return shared.signedDocument();
    return null;
  }

  /**
   * A recall notice goes to the channel that was sent the item, encrypted to its key as the item
   * was. It is not sent to a suspended partner, nor in clear to a channel whose key became unusable
   * unless all it was sent was TLP:CLEAR; such a recall is cancelled with the reason, visibly.
   */
  private async prepareRecall(context: DeliveryContext): Promise<Prepared> {
    const { target, item, version, now, publisher } = context;
    if ([target.organisation.status, target.contact?.status, target.channel.status].includes('suspended')) {
      return { cancel: 'The recall was not sent: the recipient is suspended.', code: 'recall.recipient-suspended' };
    }
    const sent = await this.deliveries.versionsHandedTo(item.id, target.channel.id);
    if (sent.length === 0)
      return {
        cancel: 'The recall was not sent: no version of the item reached this recipient.',
        code: 'recall.nothing-sent',
      };
    const notice = recallNotice(item, sent);
    const plaintext =
      formFor(target) === 'mime' ? mimeEntityForItem(recallText(notice, publisher)) : recallDocument(notice, publisher);
    const key = policyKey(target.key, context.reading);
    const keyUsable = canEncryptTo(key, now);
    const built = await this.recallMessage(context, plaintext, keyUsable, sent);
    if (isCancellation(built)) return built;
    return {
      target,
      item,
      version,
      entry: 'recall',
      tlp: notice.tlp,
      handling: null,
      message: built.message,
      keyFingerprint: keyUsable ? key.fingerprint : null,
      clearEntity: () => plaintext,
      webhookFields: {
        format: 'tlp-broker/recall@1',
        versions: notice.versions,
        type: item.kind,
        tlp: notice.tlp,
        recall: notice.cause,
      },
    };
  }

  private async recallMessage(
    { target, teamKey }: DeliveryContext,
    plaintext: string,
    keyUsable: boolean,
    sent: readonly VersionHanded[],
  ): Promise<{ message: string | null } | Cancellation> {
    if (keyUsable) {
      const sealed = await this.openpgp.sealOnce(plaintext, teamKey);
      return { message: await this.openpgp.addressTo(sealed, target.key!.fingerprint, target.key!.armored) };
    }
    if (!sent.every((row) => row.tlp === 'TLP:CLEAR')) {
      return {
        cancel: 'The recall was not sent: the recipient has no usable key to encrypt it to.',
        code: 'recall.no-usable-key',
      };
    }
    return { message: formFor(target) === 'document' ? await this.openpgp.signOnly(plaintext, teamKey) : null };
  }
}

/** What the recipient must withdraw: the versions it was sent, handled as the latest of them was. */
function recallNotice(item: ItemEntity, sent: readonly VersionHanded[]): RecallNotice {
  return {
    item,
    versions: sent.map((row) => row.version),
    tlp: sent[sent.length - 1].tlp,
    cause: item.state === 'retracted' ? 'retracted' : 'withdrawn',
    note: item.state === 'retracted' ? item.retractionNotice : null,
    issuedAt: new Date(),
  };
}

/** A stored sealed payload as the OpenPGP service takes it, named by its row (its armor is shared). */
function sealedPayloadOf(sealed: SealedPayloadEntity): SealedPayload {
  return {
    id: `${sealed.itemVersionId}:${sealed.form}`,
    sessionKeyAlgorithm: sealed.sessionKeyAlgorithm,
    sessionKey: new Uint8Array(sealed.sessionKey),
    encryptedData: new Uint8Array(sealed.encryptedData),
  };
}

function routedDuty(target: DeliveryTarget): DutyContext {
  return { needed: true, reason: `the on-call channels of ${target.organisation.name} were called for at routing` };
}

/**
 * A page carries no content: the label, the type, a reference to find the item by on the
 * organisation's secure channel, and that it awaits acknowledgement there.
 */
function page(context: DeliveryContext): Outgoing {
  const { target, item, version } = context;
  return {
    target,
    item,
    version,
    entry: 'item',
    tlp: version.tlp,
    handling: null,
    message: null,
    keyFingerprint: null,
    clearEntity: () => {
      throw new UnrecoverableError('a page is never sent by e-mail');
    },
    webhookFields: {
      format: 'tlp-broker/page@1',
      tlp: version.tlp,
      type: item.kind,
      reference: item.id,
      version: version.version,
      text: `${version.tlp} ${item.kind} ${item.id}: awaiting acknowledgement on your secure channel`,
    },
  };
}
