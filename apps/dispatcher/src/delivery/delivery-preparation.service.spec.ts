import { UnrecoverableError } from 'bullmq';
import { describe, expect, it, vi } from 'vitest';
import type { OpenPgpService, TeamKeyService } from '@tlp-broker/crypto';
import type {
  AcknowledgementLinks,
  AcknowledgementRepository,
  DecisionRepository,
  DeliveryRepository,
  ItemRepository,
  KeyReading,
  PartnerDirectory,
  RoutingTarget,
  SealedPayloadRepository,
  VersionHanded,
} from '@tlp-broker/persistence';
import type { AppConfig } from '@tlp-broker/config';
import { DEFAULT_URGENCY } from '@tlp-broker/domain';
import { aDelivery, aTarget, anItem, aVersion } from '../dispatch.test-fixtures';
import { DeliveryPreparationService } from './delivery-preparation.service';
import { DeliveryContext, Outgoing } from './outgoing';

const TEAM_KEY = { armored: 'team private key' } as unknown as DeliveryContext['teamKey'];
const USABLE: KeyReading = { expiresAt: null, revoked: false, canEncrypt: true };
const REVOKED: KeyReading = { ...USABLE, revoked: true };

function setup(
  options: {
    later?: number | null;
    handed?: VersionHanded[];
    target?: RoutingTarget | null;
    request?: { escalateAt: Date } | null;
  } = {},
) {
  const directory = { target: vi.fn(async () => (options.target === undefined ? aTarget() : options.target)) };
  const items = {
    findVersion: vi.fn(async () => aVersion()),
    findById: vi.fn(async () => anItem()),
  };
  const decisions = {
    get: vi.fn(async () => ({ id: 'decision-1', handling: 'may share with its clients on a need-to-know basis' })),
    latestRoutedVersionAfter: vi.fn(async () => options.later ?? null),
  };
  const deliveries = { versionsHandedTo: vi.fn(async () => options.handed ?? []) };
  const sealedPayloads = {
    get: vi.fn(async () => ({
      itemVersionId: 'version-1',
      form: 'document',
      sessionKeyAlgorithm: 'aes256',
      sessionKey: Buffer.from([1, 2]),
      encryptedData: Buffer.from([3, 4]),
    })),
  };
  const openpgp = {
    keyStateAt: vi.fn(async () => USABLE),
    addressTo: vi.fn(async () => 'ENCRYPTED'),
    signOnly: vi.fn(async () => 'SIGNED'),
    sealOnce: vi.fn(async () => ({ sealed: true })),
  };
  const teamKey = {
    current: vi.fn(async () => ({ key: TEAM_KEY, info: { fingerprint: 'TEAMFP' } })),
    publisherName: vi.fn(() => 'Test CSIRT'),
  };
  const config = { team: { communities: [] }, urgency: DEFAULT_URGENCY } as unknown as AppConfig;
  const service = new DeliveryPreparationService(
    config,
    directory as unknown as PartnerDirectory,
    items as unknown as ItemRepository,
    decisions as unknown as DecisionRepository,
    deliveries as unknown as DeliveryRepository,
    sealedPayloads as unknown as SealedPayloadRepository,
    openpgp as unknown as OpenPgpService,
    teamKey as unknown as TeamKeyService,
    { find: vi.fn(async () => options.request ?? null) } as unknown as AcknowledgementRepository,
    { url: (id: string) => `https://broker.test/ack/${id}.mac` } as unknown as AcknowledgementLinks,
  );
  return { service, directory, items, decisions, deliveries, sealedPayloads, openpgp };
}

function context(overrides: Partial<DeliveryContext> = {}): DeliveryContext {
  return {
    delivery: aDelivery(),
    target: aTarget(),
    item: anItem(),
    version: aVersion(),
    reading: USABLE,
    teamKey: TEAM_KEY,
    publisher: { name: 'Test CSIRT', fingerprint: 'TEAMFP' },
    now: new Date('2030-06-01T00:00:00Z'),
    ...overrides,
  };
}

describe('DeliveryPreparationService.context', () => {
  it('reads the recipient, the item and a fresh reading of the recipient key, with the team key', async () => {
    const { service, openpgp, directory } = setup();
    const read = await service.context(aDelivery());
    expect(directory.target).toHaveBeenCalledWith('channel-feed');
    expect(openpgp.keyStateAt).toHaveBeenCalledWith('recipient armored key', read.now);
    expect(read).toMatchObject({
      reading: USABLE,
      teamKey: TEAM_KEY,
      publisher: { name: 'Test CSIRT', fingerprint: 'TEAMFP' },
      item: { id: 'item-1' },
      version: { id: 'version-1' },
    });
  });

  it('takes no key reading for a channel without a key, and gives up on a channel that is gone', async () => {
    const keyless = setup({ target: aTarget({ key: false }) });
    expect((await keyless.service.context(aDelivery())).reading).toBeUndefined();
    expect(keyless.openpgp.keyStateAt).not.toHaveBeenCalled();
    const gone = setup({ target: null });
    await expect(gone.service.context(aDelivery())).rejects.toBeInstanceOf(UnrecoverableError);
  });
});

describe('DeliveryPreparationService.prepare: an item version', () => {
  it('addresses the payload sealed at routing to the recipient key, with the decision’s handling', async () => {
    const { service, sealedPayloads, openpgp } = setup();
    const out = (await service.prepare(context())) as Outgoing;
    expect(sealedPayloads.get).toHaveBeenCalledWith('version-1', 'document');
    expect(openpgp.addressTo).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'version-1:document', sessionKey: new Uint8Array([1, 2]) }),
      'RECIPIENTFP',
      'recipient armored key',
    );
    expect(out).toMatchObject({
      entry: 'item',
      tlp: 'TLP:AMBER',
      message: 'ENCRYPTED',
      keyFingerprint: 'RECIPIENTFP',
      handling: 'may share with its clients on a need-to-know basis',
      webhookFields: { format: 'tlp-broker/delivery@1', version: 1, type: 'advisory', tlp: 'TLP:AMBER' },
    });
  });

  it('seals an urgent item for the recipient alone, with its one-time acknowledgement link and deadline', async () => {
    const escalateAt = new Date('2026-12-05T22:55:00Z');
    const { service, sealedPayloads, openpgp } = setup({ request: { escalateAt } });
    const urgent = context({ item: anItem({ kind: 'alert' }) });
    const out = (await service.prepare(urgent)) as Outgoing;
    expect(sealedPayloads.get).not.toHaveBeenCalled();
    const [plaintext] = openpgp.sealOnce.mock.calls[0] as unknown as [string];
    expect(JSON.parse(plaintext).acknowledge).toEqual({
      url: `https://broker.test/ack/${urgent.delivery.id}.mac`,
      method: 'POST',
      by: '2026-12-05T22:55:00.000Z',
    });
    expect(openpgp.addressTo).toHaveBeenCalledWith({ sealed: true }, 'RECIPIENTFP', 'recipient armored key');
    expect(out.message).toBe('ENCRYPTED');

    const email = setup({ request: { escalateAt } });
    await email.service.prepare({ ...urgent, target: aTarget({ kind: 'email' }) });
    const [entity] = email.openpgp.sealOnce.mock.calls[0] as unknown as [string];
    expect(entity).toContain(`https://broker.test/ack/${urgent.delivery.id}.mac`);
  });

  it('puts no link in what is not urgent, nor where no acknowledgement is asked', async () => {
    const asked = setup({ request: { escalateAt: new Date() } });
    await asked.service.prepare(context());
    expect(asked.openpgp.sealOnce).not.toHaveBeenCalled();
    const notAsked = setup({ request: null });
    await notAsked.service.prepare(context({ item: anItem({ kind: 'alert' }) }));
    expect(notAsked.openpgp.sealOnce).not.toHaveBeenCalled();
    expect(notAsked.sealedPayloads.get).toHaveBeenCalled();
  });

  it('takes the MIME form for e-mail', async () => {
    const { service, sealedPayloads } = setup();
    await service.prepare(context({ target: aTarget({ kind: 'email' }) }));
    expect(sealedPayloads.get).toHaveBeenCalledWith('version-1', 'mime');
  });

  it.each([
    ['the partner is suspended', { target: aTarget({ suspended: 'organisation' }) }, 'partner.suspended'],
    ['the channel is suspended', { target: aTarget({ suspended: 'channel' }) }, 'channel.suspended'],
    ['the key was revoked', { reading: REVOKED }, 'key.revoked'],
    ['the key expired', { reading: { ...USABLE, expiresAt: new Date('2030-01-01T00:00:00Z') } }, 'key.expired'],
    ['the key cannot encrypt any more', { reading: { ...USABLE, canEncrypt: false } }, 'key.cannot-encrypt'],
  ])('cancels when %s since routing, with the rule that says so', async (_why, overrides, code) => {
    const { service, openpgp, sealedPayloads } = setup();
    const prepared = await service.prepare(context(overrides as Partial<DeliveryContext>));
    expect(prepared).toMatchObject({ code, cancel: expect.any(String) });
    expect(openpgp.addressTo).not.toHaveBeenCalled();
    expect(sealedPayloads.get).not.toHaveBeenCalled();
  });

  it('cancels when the item was retracted, or a later version was routed, while it waited', async () => {
    const retracted = setup();
    expect(await retracted.service.prepare(context({ item: anItem({ state: 'retracted' }) }))).toEqual({
      cancel: 'The item was retracted before this delivery was sent.',
      code: 'item.retracted',
    });
    const superseded = setup({ later: 3 });
    expect(await superseded.service.prepare(context())).toEqual({
      cancel: 'Superseded by version 3 before it was sent.',
      code: 'item.superseded',
    });
    expect(superseded.decisions.latestRoutedVersionAfter).toHaveBeenCalledWith('item-1', 1);
  });

  it('signs only, never encrypts, TLP:CLEAR for a recipient without a usable key', async () => {
    const { service, openpgp } = setup();
    const clear = aVersion({ tlp: 'TLP:CLEAR' });
    const out = (await service.prepare(context({ version: clear, reading: REVOKED }))) as Outgoing;
    expect(out).toMatchObject({ message: 'SIGNED', keyFingerprint: null });
    expect(openpgp.signOnly).toHaveBeenCalledWith(expect.stringContaining('"tlp": "TLP:CLEAR"'), TEAM_KEY);
    expect(openpgp.addressTo).not.toHaveBeenCalled();

    const email = (await service.prepare(
      context({ version: clear, target: aTarget({ kind: 'email', key: false }), reading: undefined }),
    )) as Outgoing;
    // E-mail signs the MIME entity as it is sent (PGP/MIME), so no message is built here.
    expect(email).toMatchObject({ message: null, keyFingerprint: null });
    expect(email.clearEntity()).toContain('Phishing wave');
  });

  it('refuses an item delivery without a decision: no retry can help', async () => {
    const { service } = setup();
    await expect(service.prepare(context({ delivery: aDelivery({ decisionId: null }) }))).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
  });
});

describe('DeliveryPreparationService.prepare: a recall notice', () => {
  const recall = (overrides: Partial<DeliveryContext> = {}) =>
    context({ delivery: aDelivery({ kind: 'recall' }), item: anItem({ state: 'retracted' }), ...overrides });

  it('encrypts a notice naming every version the channel was handed, labelled as the latest', async () => {
    const { service, openpgp, deliveries } = setup({
      handed: [
        { version: 1, tlp: 'TLP:GREEN' },
        { version: 2, tlp: 'TLP:AMBER' },
      ],
    });
    const out = (await service.prepare(recall())) as Outgoing;
    expect(deliveries.versionsHandedTo).toHaveBeenCalledWith('item-1', 'channel-feed');
    const [plaintext] = openpgp.sealOnce.mock.calls[0] as unknown as [string];
    expect(JSON.parse(plaintext)).toMatchObject({ recall: 'retracted', versions: [1, 2], tlp: 'TLP:AMBER' });
    expect(out).toMatchObject({
      entry: 'recall',
      tlp: 'TLP:AMBER',
      message: 'ENCRYPTED',
      keyFingerprint: 'RECIPIENTFP',
      webhookFields: { format: 'tlp-broker/recall@1', versions: [1, 2], recall: 'retracted' },
    });
  });

  it('is not sent to a suspended recipient, nor when the channel never received the item', async () => {
    const suspended = setup({ handed: [{ version: 1, tlp: 'TLP:AMBER' }] });
    expect(await suspended.service.prepare(recall({ target: aTarget({ suspended: 'channel' }) }))).toMatchObject({
      code: 'recall.recipient-suspended',
    });
    expect(await setup({ handed: [] }).service.prepare(recall())).toMatchObject({ code: 'recall.nothing-sent' });
  });

  it('goes signed only when all it withdraws was TLP:CLEAR, and is cancelled otherwise without a usable key', async () => {
    const clear = setup({ handed: [{ version: 1, tlp: 'TLP:CLEAR' }] });
    expect(await clear.service.prepare(recall({ reading: REVOKED }))).toMatchObject({
      message: 'SIGNED',
      keyFingerprint: null,
    });
    const amber = setup({ handed: [{ version: 1, tlp: 'TLP:AMBER' }] });
    expect(await amber.service.prepare(recall({ reading: REVOKED }))).toMatchObject({ code: 'recall.no-usable-key' });
    expect(amber.openpgp.signOnly).not.toHaveBeenCalled();
  });
});
