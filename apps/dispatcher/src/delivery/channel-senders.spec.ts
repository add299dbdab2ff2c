import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { EmailSender, WebhookSender } from '@tlp-broker/channels';
import type { AppConfig } from '@tlp-broker/config';
import { ChannelSenders } from './channel-senders';

const config = (smtp: unknown) => ({ smtp, webhooks: { allowList: [], timeoutMs: 5_000 } }) as unknown as AppConfig;

describe('ChannelSenders', () => {
  it('refuses e-mail for good when SMTP_URL is not set, and still posts webhooks', () => {
    const senders = new ChannelSenders(config(null));
    expect(() => senders.email()).toThrow(new UnrecoverableError('e-mail delivery is not configured (SMTP_URL)'));
    expect(() => senders.email()).toThrow(UnrecoverableError);
    expect(senders.webhook()).toBeInstanceOf(WebhookSender);
    senders.onApplicationShutdown();
  });

  it('builds one e-mail sender from the settings, and closes it on shutdown', () => {
    const senders = new ChannelSenders(
      config({
        host: '127.0.0.1',
        port: 2525,
        secure: false,
        requireTls: false,
        from: { name: 'Test CSIRT', address: 'csirt@example.org' },
      }),
    );
    const sender = senders.email();
    expect(sender).toBeInstanceOf(EmailSender);
    expect(senders.email()).toBe(sender);
    senders.onApplicationShutdown();
  });
});
