import { UnrecoverableError } from 'bullmq';
import { describe, expect, it, vi } from 'vitest';
import { ChannelError } from '@tlp-broker/channels';
import { Metrics } from '@tlp-broker/observability';
import { aTarget, anItem, aVersion } from '../dispatch.test-fixtures';
import { ChannelSenders } from './channel-senders';
import { DeliverySenderService } from './delivery-sender.service';
import { Outgoing, TeamSigningKey } from './outgoing';

const TEAM_KEY = { armored: 'team key' } as unknown as TeamSigningKey;

function setup(metrics = new Metrics({ processMetrics: false })) {
  const email = { send: vi.fn(async () => ({ messageId: '<id@broker>' })) };
  const webhook = { send: vi.fn(async () => undefined) };
  const channels = { email: vi.fn(() => email), webhook: vi.fn(() => webhook) };
  return { email, webhook, sender: new DeliverySenderService(channels as unknown as ChannelSenders, metrics) };
}

function outgoing(kind: 'feed' | 'email' | 'webhook' | 'public', overrides: Partial<Outgoing> = {}): Outgoing {
  return {
    target: aTarget({ kind }),
    item: anItem(),
    version: aVersion(),
    entry: 'item',
    tlp: 'TLP:AMBER',
    handling: null,
    message: 'ARMORED',
    keyFingerprint: 'RECIPIENTFP',
    clearEntity: () => 'Content-Type: text/plain\r\n\r\nclear',
    webhookFields: { format: 'tlp-broker/delivery@1', version: 1 },
    ...overrides,
  };
}

describe('DeliverySenderService', () => {
  it('sends nothing for a feed: the entry written with the outcome is the delivery', async () => {
    const { sender, email, webhook } = setup();
    expect(await sender.send('d-1', outgoing('feed'), TEAM_KEY)).toBeNull();
    expect(email.send).not.toHaveBeenCalled();
    expect(webhook.send).not.toHaveBeenCalled();
  });

  it('mails the encrypted message to the channel address and returns its Message-ID', async () => {
    const { sender, email } = setup();
    expect(await sender.send('d-1', outgoing('email'), TEAM_KEY)).toBe('<id@broker>');
    expect(email.send).toHaveBeenCalledWith(
      expect.objectContaining({
        deliveryId: 'd-1',
        itemId: 'item-1',
        title: 'Phishing wave',
        notice: undefined,
        to: { name: 'CERT-EU', address: 'soc@cert.example' },
        body: { kind: 'encrypted', armored: 'ARMORED' },
      }),
    );
  });

  it('mails a signed MIME entity when there is no message to encrypt (TLP:CLEAR without a key), and marks recalls', async () => {
    const { sender, email } = setup();
    await sender.send('d-1', outgoing('email', { message: null, entry: 'recall' }), TEAM_KEY);
    expect(email.send).toHaveBeenCalledWith(
      expect.objectContaining({
        title: undefined,
        notice: 'recall',
        body: { kind: 'signed', entity: 'Content-Type: text/plain\r\n\r\nclear', signingKey: TEAM_KEY },
      }),
    );
  });

  it('posts the webhook with its fields, the delivery id as idempotency key and the message', async () => {
    const { sender, webhook } = setup();
    expect(await sender.send('d-1', outgoing('webhook'), TEAM_KEY)).toBeNull();
    expect(webhook.send).toHaveBeenCalledWith({
      url: 'https://cert.example/hook',
      secret: 'hook-secret',
      deliveryId: 'd-1',
      idempotencyKey: 'delivery-d-1',
      payload: {
        format: 'tlp-broker/delivery@1',
        version: 1,
        deliveryId: 'd-1',
        itemId: 'item-1',
        keyFingerprint: 'RECIPIENTFP',
        message: 'ARMORED',
      },
    });
  });

  it('ends the delivery on a refusal no retry can change, and leaves other failures to retries', async () => {
    const { sender, email, webhook } = setup();
    webhook.send.mockRejectedValueOnce(new ChannelError('webhook', 'rejected', 'the peer answered 410'));
    await expect(sender.send('d-1', outgoing('webhook'), TEAM_KEY)).rejects.toEqual(
      new UnrecoverableError('the peer answered 410'),
    );
    const deferred = new ChannelError('email', 'deferred', 'the mail server answered 451');
    email.send.mockRejectedValueOnce(deferred);
    await expect(sender.send('d-1', outgoing('email'), TEAM_KEY)).rejects.toBe(deferred);
    await expect(sender.send('d-1', outgoing('public'), TEAM_KEY)).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it('times each hand-over to a mail relay or webhook into tlpb_send_seconds, failures included', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const { sender, webhook } = setup(metrics);
    await sender.send('d-1', outgoing('email'), TEAM_KEY);
    await sender.send('d-2', outgoing('webhook'), TEAM_KEY);
    webhook.send.mockRejectedValueOnce(new ChannelError('webhook', 'deferred', 'the peer answered 503'));
    await expect(sender.send('d-3', outgoing('webhook'), TEAM_KEY)).rejects.toBeInstanceOf(ChannelError);
    await sender.send('d-4', outgoing('feed'), TEAM_KEY);
    const text = await metrics.render();
    expect(text).toMatch(/^tlpb_send_seconds_count\{channel_kind="email"\} 1$/m);
    expect(text).toMatch(/^tlpb_send_seconds_count\{channel_kind="webhook"\} 2$/m);
    expect(text).not.toMatch(/channel_kind="feed"/);
  });
});
