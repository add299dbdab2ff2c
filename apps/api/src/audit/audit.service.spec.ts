import { access } from 'node:fs/promises';
import { NotFoundException } from '@nestjs/common';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import { checkpointSignatureChecker } from '@tlp-broker/crypto';
import type {
  AuditCheckpointRepository,
  AuditTrailVerifier,
  StoredCheckpoint,
  TeamKeyRepository,
} from '@tlp-broker/persistence';
import { AuditService } from './audit.service';

vi.mock('node:fs/promises', () => ({ access: vi.fn() }));
vi.mock('@tlp-broker/crypto', () => ({ checkpointSignatureChecker: vi.fn() }));

const macKey = new Uint8Array(32).fill(1);
const checkSignature = vi.fn();
const checkpoint: StoredCheckpoint = {
  id: 3,
  seq: 41,
  hash: 'a'.repeat(64),
  at: new Date('2026-12-01T10:00:00Z'),
  signer: 'F'.repeat(40),
  signed: '-----BEGIN PGP SIGNED MESSAGE-----',
};

function service(checkpointFile: string | null, latest: StoredCheckpoint | null = checkpoint) {
  const config = { audit: { key: macKey, checkpointFile } } as unknown as AppConfig;
  const trail = { verify: vi.fn(async () => ({ intact: true })) };
  const teamKeys = {
    all: vi.fn(async () => [
      { fingerprint: 'F'.repeat(40), publicArmored: 'active key' },
      { fingerprint: 'E'.repeat(40), publicArmored: 'retired key' },
    ]),
  };
  const checkpoints = { list: vi.fn(async () => [checkpoint]), latest: vi.fn(async () => latest) };
  return {
    trail,
    checkpoints,
    audit: new AuditService(
      config,
      trail as unknown as AuditTrailVerifier,
      teamKeys as unknown as TeamKeyRepository,
      checkpoints as unknown as AuditCheckpointRepository,
    ),
  };
}

describe('AuditService', () => {
  beforeEach(() => {
    vi.mocked(checkpointSignatureChecker).mockReset().mockResolvedValue(checkSignature);
    vi.mocked(access).mockReset();
  });

  it("verifies the trail with the audit key and every team key's signature, retired ones too", async () => {
    const { trail, audit } = service(null);
    expect(await audit.verify()).toEqual({ intact: true });
    expect(checkpointSignatureChecker).toHaveBeenCalledWith([
      { fingerprint: 'F'.repeat(40), armored: 'active key' },
      { fingerprint: 'E'.repeat(40), armored: 'retired key' },
    ]);
    expect(trail.verify).toHaveBeenCalledWith({ macKey, checkpointFile: undefined, checkSignature });
    expect(access).not.toHaveBeenCalled();
  });

  it('checks AUDIT_CHECKPOINT_FILE too when this process can read it, and leaves it out when it cannot', async () => {
    vi.mocked(access).mockResolvedValueOnce(undefined);
    const readable = service('/var/lib/tlpb/checkpoints.asc');
    await readable.audit.verify();
    expect(readable.trail.verify).toHaveBeenCalledWith(
      expect.objectContaining({ checkpointFile: '/var/lib/tlpb/checkpoints.asc' }),
    );
    vi.mocked(access).mockRejectedValueOnce(new Error('ENOENT'));
    const elsewhere = service('/mnt/elsewhere/checkpoints.asc');
    await elsewhere.audit.verify();
    expect(elsewhere.trail.verify).toHaveBeenCalledWith(expect.objectContaining({ checkpointFile: undefined }));
  });

  it('lists checkpoints by page, 100 by default', async () => {
    const { checkpoints, audit } = service(null);
    expect(await audit.list()).toEqual([checkpoint]);
    expect(checkpoints.list).toHaveBeenLastCalledWith(100, undefined);
    await audit.list(10, 7);
    expect(checkpoints.list).toHaveBeenLastCalledWith(10, 7);
  });

  it('gives the latest checkpoint, and 404 before the first', async () => {
    expect(await service(null).audit.latest()).toEqual(checkpoint);
    const error = await service(null, null)
      .audit.latest()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundException);
    expect((error as NotFoundException).message).toBe(
      'no checkpoint yet: the dispatcher signs the first once audit events exist',
    );
  });
});
