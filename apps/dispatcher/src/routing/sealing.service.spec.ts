import { describe, expect, it, vi } from 'vitest';
import type { OpenPgpService, TeamKeyService } from '@tlp-broker/crypto';
import { Metrics } from '@tlp-broker/observability';
import type { SealedPayloadRepository } from '@tlp-broker/persistence';
import { tx } from '../../../../test/support/mocks';
import { aTarget, anItem, aVersion } from '../dispatch.test-fixtures';
import { SealingService } from './sealing.service';

const TEAM_KEY = { armored: 'team key' };

function setup(sealedAlready: string[] = [], metrics = new Metrics({ processMetrics: false })) {
  const sealedPayloads = {
    exists: vi.fn(async (_versionId: string, form: string) => sealedAlready.includes(form)),
    insert: vi.fn(async () => undefined),
  };
  const openpgp = {
    sealOnce: vi.fn(async () => ({
      sessionKeyAlgorithm: 'aes256',
      sessionKey: new Uint8Array([1, 2]),
      encryptedData: new Uint8Array([3]),
    })),
  };
  const teamKey = {
    current: vi.fn(async () => ({ key: TEAM_KEY, info: { fingerprint: 'TEAMFP' } })),
    publisherName: vi.fn(() => 'Test CSIRT'),
  };
  const service = new SealingService(
    sealedPayloads as unknown as SealedPayloadRepository,
    openpgp as unknown as OpenPgpService,
    teamKey as unknown as TeamKeyService,
    metrics,
  );
  return { service, sealedPayloads, openpgp };
}

describe('SealingService', () => {
  it('seals the JSON document once for feeds and webhooks, signed by the team key, in the routing transaction', async () => {
    const { service, sealedPayloads, openpgp } = setup();
    await service.sealFor(anItem(), aVersion(), [aTarget({ kind: 'feed' }), aTarget({ kind: 'webhook' })], tx);
    expect(openpgp.sealOnce).toHaveBeenCalledTimes(1);
    const [plaintext, key] = openpgp.sealOnce.mock.calls[0] as unknown as [string, unknown];
    expect(JSON.parse(plaintext)).toMatchObject({
      format: 'tlp-broker/item@1',
      id: 'item-1',
      publisher: { name: 'Test CSIRT', fingerprint: 'TEAMFP' },
    });
    expect(key).toBe(TEAM_KEY);
    expect(sealedPayloads.insert).toHaveBeenCalledWith(
      {
        itemVersionId: 'version-1',
        form: 'document',
        teamKeyFingerprint: 'TEAMFP',
        sessionKeyAlgorithm: 'aes256',
        sessionKey: Buffer.from([1, 2]),
        encryptedData: Buffer.from([3]),
      },
      tx,
    );
  });

  it('seals a MIME entity for e-mail, both forms when both are needed, none when nobody may have it', async () => {
    const both = setup();
    await both.service.sealFor(anItem(), aVersion(), [aTarget({ kind: 'email' }), aTarget({ kind: 'feed' })], tx);
    const inserted = both.sealedPayloads.insert.mock.calls as unknown as [{ form: string }][];
    expect(inserted.map(([row]) => row.form)).toEqual(['document', 'mime']);
    const [mime] = both.openpgp.sealOnce.mock.calls[1] as unknown as [string];
    expect(mime).toContain('Phishing wave');
    const none = setup();
    await none.service.sealFor(anItem(), aVersion(), [], tx);
    expect(none.openpgp.sealOnce).not.toHaveBeenCalled();
  });

  it('does not seal a form again', async () => {
    const { service, sealedPayloads, openpgp } = setup(['document']);
    await service.seal(anItem(), aVersion(), 'document', tx);
    expect(sealedPayloads.exists).toHaveBeenCalledWith('version-1', 'document', tx);
    expect(openpgp.sealOnce).not.toHaveBeenCalled();
    expect(sealedPayloads.insert).not.toHaveBeenCalled();
  });

  it('times each signing and encryption into tlpb_encryption_seconds', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const { service } = setup(['document'], metrics);
    await service.sealFor(anItem(), aVersion(), [aTarget({ kind: 'feed' }), aTarget({ kind: 'email' })], tx);
    // The document was sealed already: only the MIME entity was signed and encrypted.
    expect(await metrics.render()).toMatch(/^tlpb_encryption_seconds_count 1$/m);
  });
});
