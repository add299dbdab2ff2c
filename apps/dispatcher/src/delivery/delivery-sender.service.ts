import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { ChannelError } from '@tlp-broker/channels';
import { Metrics } from '@tlp-broker/observability';
import { ChannelSenders } from './channel-senders';
import { Outgoing, TeamSigningKey } from './outgoing';

/**
 * Hands a prepared message to its channel: e-mail (PGP/MIME) and webhooks are pushed; a feed
 * delivery happens when its entry is written, so nothing is sent here. A refusal no retry can
 * change ends the delivery; anything else is retried.
 */
@Injectable()
export class DeliverySenderService {
  constructor(
    private readonly channels: ChannelSenders,
    private readonly metrics: Metrics,
  ) {}

  /** Sends the message; returns the e-mail Message-ID (null for other channels). */
  async send(deliveryId: string, out: Outgoing, teamKey: TeamSigningKey): Promise<string | null> {
    try {
      switch (out.target.channel.kind) {
        case 'feed':
          return null;
        // Handing over is timed into tlpb_send_seconds, failures included.
        case 'email':
          return await this.metrics.timeSend('email', () => this.email(deliveryId, out, teamKey));
        case 'webhook':
          await this.metrics.timeSend('webhook', () => this.webhook(deliveryId, out));
          return null;
        case 'pager':
          await this.metrics.timeSend('webhook', () => this.page(deliveryId, out));
          return null;
        default:
          throw new UnrecoverableError(`nothing is delivered over ${out.target.channel.kind} channels`);
      }
    } catch (error) {
      // A refusal no retry can change (5xx mail, 4xx webhook, refused address) ends the delivery now.
      if (error instanceof ChannelError && error.permanent) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  private async email(deliveryId: string, out: Outgoing, teamKey: TeamSigningKey): Promise<string> {
    const { target, item, version } = out;
    const sent = await this.channels.email().send({
      deliveryId,
      itemId: item.id,
      version: version.version,
      itemType: item.kind,
      tlp: out.tlp,
      title: out.entry === 'item' ? version.title : undefined,
      notice: out.entry === 'recall' ? 'recall' : undefined,
      to: { name: target.contact?.name ?? target.organisation.name, address: target.channel.address! },
      body: out.message
        ? { kind: 'encrypted', armored: out.message }
        : { kind: 'signed', entity: out.clearEntity(), signingKey: teamKey },
    });
    return sent.messageId;
  }

  /** A page: only what the preparation put in it (label, type, reference), never the message. */
  private async page(deliveryId: string, out: Outgoing): Promise<void> {
    await this.channels.webhook().send({
      url: out.target.channel.address!,
      secret: out.target.channel.secret!,
      deliveryId,
      idempotencyKey: `delivery-${deliveryId}`,
      payload: { ...out.webhookFields, deliveryId },
    });
  }

  private async webhook(deliveryId: string, out: Outgoing): Promise<void> {
    const { target, item } = out;
    await this.channels.webhook().send({
      url: target.channel.address!,
      secret: target.channel.secret!,
      deliveryId,
      idempotencyKey: `delivery-${deliveryId}`,
      payload: {
        ...out.webhookFields,
        deliveryId,
        itemId: item.id,
        keyFingerprint: out.keyFingerprint,
        message: out.message,
      },
    });
  }
}
