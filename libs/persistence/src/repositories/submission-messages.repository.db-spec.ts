import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from 'typeorm';
import { useTestDatabase } from '../../../../test/support/test-database';
import { SubmissionMessageRepository } from './submission-messages.repository';
import { SubmissionRepository } from './submissions.repository';
import { TestRows } from './test-rows.db-fixtures';

const SIGNER = 'D'.repeat(40);

describe('SubmissionMessageRepository on PostgreSQL', () => {
  const db = useTestDatabase();
  const fixtures = new TestRows(db);
  let messages: SubmissionMessageRepository;
  let submissions: SubmissionRepository;
  let organisationId: string;
  let contactId: string;
  let count = 0;

  /** A verified submission signed by the contact's key, stored as the recorder stores it. */
  const submission = () =>
    db.dataSource.transaction(async (tx) => {
      const row = await submissions.insertUnlessKnown(
        {
          source: 'api',
          senderProof: 'signature',
          status: 'verified',
          organisationId,
          senderContactId: contactId,
          signerFingerprint: SIGNER,
          sizeBytes: 1,
          rawSizeBytes: 1,
          digest: createHash('sha256').update(`digest-${++count}`).digest('hex'),
        },
        [],
        'PJ',
        tx,
      );
      return row!.id;
    });

  const queue = (submissionId: string, kind: 'acknowledgement' | 'reply' = 'acknowledgement') =>
    db.dataSource.transaction((tx) =>
      messages.insert(
        {
          submissionId,
          kind,
          body: kind === 'reply' ? 'hello' : null,
          toName: 'Camille Reporter',
          toAddress: 'camille@partner.example',
          recipientFingerprint: SIGNER,
          createdBy: 'test',
        },
        tx,
      ),
    );

  const due = (reconcileAfterMs = 60_000) =>
    db.dataSource.transaction((tx) => messages.lockDue(reconcileAfterMs, 100, tx));
  const inTx = <T>(work: (tx: EntityManager) => Promise<T>) => db.dataSource.transaction(work);

  beforeAll(async () => {
    messages = new SubmissionMessageRepository(db.dataSource);
    submissions = new SubmissionRepository(db.dataSource);
    organisationId = await fixtures.organisation('Reporting CERT');
    contactId = await fixtures.contact(organisationId, 'Camille Reporter');
    await fixtures.key(organisationId, SIGNER, contactId);
  });

  it('queues one acknowledgement per submission, and any number of replies', async () => {
    const id = await submission();
    const first = await queue(id);
    expect(first).toMatchObject({ submissionId: id, kind: 'acknowledgement', state: 'queued', attempts: 0 });
    expect(await queue(id)).toBeNull();
    expect(await queue(id, 'reply')).not.toBeNull();
    expect(await queue(id, 'reply')).not.toBeNull();
    expect((await messages.ofSubmission(id)).map((m) => m.kind)).toEqual(['acknowledgement', 'reply', 'reply']);
  });

  it('hands a new message to the relay once, then again only once it was handed long enough ago', async () => {
    const message = (await queue(await submission()))!;
    const firstLook = (await due()).find((row) => row.id === message.id);
    expect(firstLook).toEqual({
      id: message.id,
      submissionId: message.submissionId,
      kind: 'acknowledgement',
      handed: false,
    });
    await inTx((tx) => messages.markEnqueued([message.id], tx));
    expect((await due()).some((row) => row.id === message.id)).toBe(false);
    expect((await due(0)).find((row) => row.id === message.id)).toMatchObject({ handed: true });
  });

  it('records a message sent once, and nothing after it is sent or dead', async () => {
    const sent = (await queue(await submission()))!;
    expect(await inTx((tx) => messages.markFailed(sent.id, 'SMTP 451', false, tx))).toBe(true);
    expect(await messages.byId(sent.id)).toMatchObject({ state: 'failed', attempts: 1, lastError: 'SMTP 451' });
    expect(await inTx((tx) => messages.markSent(sent.id, '<a@b>', tx))).toBe(true);
    expect(await inTx((tx) => messages.markSent(sent.id, '<a@b>', tx))).toBe(false);
    expect(await inTx((tx) => messages.markFailed(sent.id, 'late', true, tx))).toBe(false);
    expect(await inTx((tx) => messages.markDead(sent.id, 'late', tx))).toBe(false);
    const row = await messages.byId(sent.id);
    expect(row).toMatchObject({ state: 'sent', attempts: 2, lastError: null, mailMessageId: '<a@b>' });
    expect(row!.sentAt).toBeInstanceOf(Date);
    expect((await due(0)).some((r) => r.id === sent.id)).toBe(false);

    const dead = (await queue(await submission()))!;
    expect(await inTx((tx) => messages.markDead(dead.id, 'key revoked', tx))).toBe(true);
    expect(await messages.byId(dead.id)).toMatchObject({ state: 'dead', attempts: 0, lastError: 'key revoked' });
    expect(await inTx((tx) => messages.markSent(dead.id, '<a@b>', tx))).toBe(false);
  });

  it("reads the recipient's key and standing as they are now", async () => {
    const message = (await queue(await submission()))!;
    expect(await messages.recipient(message.id)).toEqual({
      armored: 'armored key',
      revokedAt: null,
      expiresAt: null,
      organisationStatus: 'active',
      contactStatus: 'active',
    });
    await db.superuser.query(`UPDATE recipient_keys SET revoked_at = now() WHERE fingerprint = $1`, [SIGNER]);
    await db.superuser.query(`UPDATE contacts SET status = 'suspended' WHERE id = $1`, [contactId]);
    expect(await messages.recipient(message.id)).toMatchObject({
      revokedAt: expect.any(Date),
      contactStatus: 'suspended',
    });
    // A key of that fingerprint registered by another organisation is not the sender's.
    await db.superuser.query(`UPDATE recipient_keys SET organisation_id = $1 WHERE fingerprint = $2`, [
      await fixtures.organisation('Someone else'),
      SIGNER,
    ]);
    expect((await messages.recipient(message.id))?.armored).toBeNull();
    expect(await messages.recipient('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('says whether any message waits to be sent', async () => {
    expect(await messages.anyOpen()).toBe(true);
    await db.superuser.query(`UPDATE submission_messages SET state = 'sent'`);
    expect(await messages.anyOpen()).toBe(false);
  });
});
