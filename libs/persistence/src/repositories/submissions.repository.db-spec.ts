import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { NewSubmission, SubmissionRepository } from './submissions.repository';
import { TestRows } from './test-rows.db-fixtures';

/** A SHA-256 in hex, as digests are stored. */
const sha256 = (name: string) => createHash('sha256').update(name).digest('hex');

describe('SubmissionRepository on PostgreSQL', () => {
  const db = useTestDatabase();
  const fixtures = new TestRows(db);
  let submissions: SubmissionRepository;
  let organisationId: string;
  let channelId: string;

  const verified = (digest: string, organisation = organisationId): NewSubmission => ({
    organisationId: organisation,
    channelId,
    status: 'verified',
    reason: null,
    detail: null,
    signerFingerprint: 'D'.repeat(40),
    content: 'signed report',
    sizeBytes: 13,
    rawSizeBytes: 420,
    digest,
  });

  beforeAll(async () => {
    submissions = new SubmissionRepository(db.dataSource);
    organisationId = await fixtures.organisation('Sending CERT');
    channelId = await fixtures.channel(organisationId);
  });

  it('stores a submission once per organisation and digest, and finds it by them', async () => {
    const stored = await submissions.insertUnlessSent(verified(sha256('digest-1')));
    expect(stored).toMatchObject({ ...verified(sha256('digest-1')), id: expect.any(String) });
    expect(stored!.receivedAt).toBeInstanceOf(Date);
    expect(await submissions.insertUnlessSent({ ...verified(sha256('digest-1')), content: 'again' })).toBeNull();
    expect(await submissions.sentBefore(organisationId, sha256('digest-1'))).toEqual(stored);
    expect(await submissions.sentBefore(organisationId, sha256('digest-2'))).toBeNull();
    const other = await fixtures.organisation('Other sending CERT');
    expect(await submissions.insertUnlessSent(verified(sha256('digest-1'), other))).not.toBeNull();
  });

  it('stores a rejected submission without content', async () => {
    const rejected = await submissions.insertUnlessSent({
      ...verified(sha256('digest-rejected')),
      status: 'rejected',
      reason: 'too-large',
      detail: 'over 1024 bytes once decompressed',
      signerFingerprint: null,
      content: null,
      sizeBytes: 0,
    });
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'too-large', content: null, sizeBytes: 0 });
  });

  it('stores one of two copies sent at once: the second waits for the first and stores nothing', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = db.dataSource.transaction(async (tx) => {
      const row = await submissions.insertUnlessSent(verified(sha256('digest-race')), tx);
      await held;
      return row;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = submissions.insertUnlessSent(verified(sha256('digest-race')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    expect(await first).not.toBeNull();
    expect(await second).toBeNull();
  });

  it('lists the newest first, at most as many as asked', async () => {
    const newest = await submissions.newest(2);
    expect(newest).toHaveLength(2);
    expect(newest[0].receivedAt.getTime()).toBeGreaterThanOrEqual(newest[1].receivedAt.getTime());
    expect(newest[0].digest).toBe(sha256('digest-race'));
  });

  it('takes part in the caller transaction: nothing stays when it rolls back', async () => {
    await expect(
      db.dataSource.transaction(async (tx) => {
        await submissions.insertUnlessSent(verified(sha256('digest-rolled-back')), tx);
        expect(await submissions.sentBefore(organisationId, sha256('digest-rolled-back'), tx)).not.toBeNull();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await submissions.sentBefore(organisationId, sha256('digest-rolled-back'))).toBeNull();
  });
});
