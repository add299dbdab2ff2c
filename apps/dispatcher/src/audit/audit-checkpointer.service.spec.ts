import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type { TeamKeyService } from '@tlp-broker/crypto';
import type { AuditCheckpointRepository, AuditHead, StoredCheckpoint } from '@tlp-broker/persistence';
import { AuditCheckpointer } from './audit-checkpointer.service';

const files = vi.hoisted(() => ({ appendFile: vi.fn(async () => undefined) }));
vi.mock('node:fs/promises', () => ({ appendFile: files.appendFile }));

const signing = vi.hoisted(() => ({
  signCheckpoint: vi.fn(async (head: { seq: number }, key: { name: string }) => ({
    at: new Date('2030-01-01T00:00:00Z'),
    signer: 'TEAMFP',
    signed: `checkpoint ${head.seq} signed by ${key.name}\n`,
  })),
}));
// The team key is replaced (and openpgp with it): a checkpoint is whatever signCheckpoint returns.
vi.mock('@tlp-broker/crypto', () => ({ signCheckpoint: signing.signCheckpoint, TeamKeyService: class {} }));

const TEAM_KEY = { name: 'team key' };
const HEAD: AuditHead = { seq: 42, hash: 'a'.repeat(64) };

function setup(options: { file?: string; moved?: boolean } = {}) {
  const config = {
    audit: { checkpointIntervalMs: 60_000, checkpointFile: options.file },
  } as unknown as AppConfig;
  const checkpoints = {
    checkpointHead: vi.fn(async (sign: (head: AuditHead) => Promise<{ at: Date; signer: string; signed: string }>) => {
      if (options.moved === false) return null;
      return { id: 1, ...HEAD, ...(await sign(HEAD)) } as StoredCheckpoint;
    }),
  };
  const teamKey = { current: vi.fn(async () => ({ key: TEAM_KEY, info: { fingerprint: 'TEAMFP' } })) };
  const checkpointer = new AuditCheckpointer(
    config,
    checkpoints as unknown as AuditCheckpointRepository,
    teamKey as unknown as TeamKeyService,
  );
  return { checkpointer, checkpoints };
}

beforeEach(() => {
  files.appendFile.mockClear();
  signing.signCheckpoint.mockClear();
});
afterEach(() => vi.useRealTimers());

describe('AuditCheckpointer.checkpointOnce', () => {
  it('signs the moved head with the team key, and appends the signed checkpoint to AUDIT_CHECKPOINT_FILE', async () => {
    const { checkpointer } = setup({ file: '/var/lib/tlp-broker/checkpoints.asc' });
    const checkpoint = await checkpointer.checkpointOnce();
    expect(checkpoint).toMatchObject({ seq: 42, signed: 'checkpoint 42 signed by team key\n' });
    expect(signing.signCheckpoint).toHaveBeenCalledWith(HEAD, TEAM_KEY);
    expect(files.appendFile).toHaveBeenCalledWith(
      '/var/lib/tlp-broker/checkpoints.asc',
      'checkpoint 42 signed by team key\n\n',
      { mode: 0o640 },
    );
  });

  it('writes no file when none is set, and nothing when the head has not moved', async () => {
    expect(await setup().checkpointer.checkpointOnce()).toMatchObject({ seq: 42 });
    expect(await setup({ file: '/tmp/checkpoints.asc', moved: false }).checkpointer.checkpointOnce()).toBeNull();
    expect(files.appendFile).not.toHaveBeenCalled();
  });

  it('keeps the checkpoint stored in PostgreSQL when the file cannot be written', async () => {
    files.appendFile.mockRejectedValueOnce(new Error('EACCES: permission denied'));
    const { checkpointer } = setup({ file: '/read-only/checkpoints.asc' });
    expect(await checkpointer.checkpointOnce()).toMatchObject({ seq: 42 });
  });
});

describe('AuditCheckpointer schedule', () => {
  it('checkpoints at start, at every interval, and a last time at shutdown', async () => {
    vi.useFakeTimers();
    const { checkpointer, checkpoints } = setup();
    checkpointer.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(0);
    expect(checkpoints.checkpointHead).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(checkpoints.checkpointHead).toHaveBeenCalledTimes(2);
    await checkpointer.beforeApplicationShutdown();
    expect(checkpoints.checkpointHead).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(checkpoints.checkpointHead).toHaveBeenCalledTimes(3);
  });

  it('does not fail the shutdown when the last checkpoint fails', async () => {
    const { checkpointer, checkpoints } = setup();
    checkpoints.checkpointHead.mockRejectedValueOnce(new Error('database gone'));
    await expect(checkpointer.beforeApplicationShutdown()).resolves.toBeUndefined();
  });
});
