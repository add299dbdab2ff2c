import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { EmailSender, WebhookSender } from '@tlp-broker/channels';
import { AppConfig, InjectConfig } from '@tlp-broker/config';

/** The senders of the push channels, built from the settings once (bad settings fail the start). */
@Injectable()
export class ChannelSenders implements OnApplicationShutdown {
  private readonly emailSender: EmailSender | null;
  private readonly webhookSender: WebhookSender;

  constructor(@InjectConfig() config: AppConfig) {
    this.emailSender = config.smtp ? new EmailSender({ ...config.smtp, connectionTimeoutMs: 15_000 }) : null;
    this.webhookSender = new WebhookSender({
      allowList: config.webhooks.allowList,
      timeoutMs: config.webhooks.timeoutMs,
      userAgent: 'tlp-broker',
    });
  }

  email(): EmailSender {
    if (!this.emailSender) throw new UnrecoverableError('e-mail delivery is not configured (SMTP_URL)');
    return this.emailSender;
  }

  webhook(): WebhookSender {
    return this.webhookSender;
  }

  onApplicationShutdown(): void {
    this.emailSender?.close();
  }
}
