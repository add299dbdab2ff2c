import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database';
import { NewAttachment, NewSubmission, SubmissionRepository } from './submissions.repository';
import { TestRows } from './test-rows.db-fixtures';

/** A SHA-256 in hex, as digests are stored. */
const sha256 = (name: string) => createHash('sha256').update(name).digest('hex');
const YEAR = new Date().getUTCFullYear();

describe('SubmissionRepository on PostgreSQL', () => {
  const db = useTestDatabase();
  const fixtures = new TestRows(db);
  let submissions: SubmissionRepository;
  let organisationId: string;
  let channelId: string;
  let contactId: string;

  const verified = (digest: string, organisation = organisationId): NewSubmission => ({
    source: 'api',
    senderProof: 'signature',
    organisationId: organisation,
    channelId,
    status: 'verified',
    signerFingerprint: 'D'.repeat(40),
    content: 'signed report',
    sizeBytes: 13,
    rawSizeBytes: 420,
    digest,
  });

  /** Stores in a transaction of its own, as the recorder does. */
  const store = (submission: NewSubmission, attachments: NewAttachment[] = []) =>
    db.dataSource.transaction((tx) => submissions.insertUnlessKnown(submission, attachments, 'PJ', tx));

  beforeAll(async () => {
    submissions = new SubmissionRepository(db.dataSource);
    organisationId = await fixtures.organisation('Sending CERT');
    channelId = await fixtures.channel(organisationId);
    contactId = await fixtures.contact(organisationId, 'Camille Reporter');
  });

  it('stores a submission once per organisation and digest, giving each a reference of the year in order', async () => {
    const stored = await store(verified(sha256('digest-1')));
    expect(stored).toMatchObject({
      ...verified(sha256('digest-1')),
      id: expect.any(String),
      reference: `PJ-${YEAR}-000001`,
      triageState: 'received',
      flags: [],
      indicators: [],
    });
    expect(stored!.receivedAt).toBeInstanceOf(Date);
    expect(await store({ ...verified(sha256('digest-1')), content: 'again' })).toBeNull();
    expect(await submissions.sentBefore(organisationId, sha256('digest-1'))).toEqual(stored);
    expect(await submissions.sentBefore(organisationId, sha256('digest-2'))).toBeNull();
    const other = await fixtures.organisation('Other sending CERT');
    // The repeat above took a number and left a gap: references are never given twice.
    expect((await store(verified(sha256('digest-1'), other)))?.reference).toBe(`PJ-${YEAR}-000003`);
  });

  it('stores a rejected submission without content or reference', async () => {
    const rejected = await store({
      ...verified(sha256('digest-rejected')),
      status: 'rejected',
      senderProof: 'none',
      reason: 'too-large',
      detail: 'over 1024 bytes once decompressed',
      signerFingerprint: null,
      content: null,
      sizeBytes: 0,
    });
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'too-large', content: null, reference: null });
  });

  it('takes an e-mail once per Message-ID and a feed object once, finding the first by them', async () => {
    const mail: NewSubmission = {
      source: 'email',
      senderProof: 'none',
      status: 'unverified',
      messageId: '<once@mail.example>',
      fromAddress: 'someone@mail.example',
      content: 'in the clear',
      sizeBytes: 12,
      rawSizeBytes: 300,
      flags: ['unencrypted', 'unsigned', 'label-assumed'],
      tlp: 'TLP:AMBER',
    };
    const first = await store(mail);
    expect(first).toMatchObject({ organisationId: null, flags: ['unencrypted', 'unsigned', 'label-assumed'] });
    expect(await store({ ...mail, content: 'again' })).toBeNull();
    expect((await submissions.byMessageId('<once@mail.example>'))?.id).toBe(first!.id);
  });

  it('stores one of two copies sent at once: the second waits for the first and stores nothing', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = db.dataSource.transaction(async (tx) => {
      const row = await submissions.insertUnlessKnown(verified(sha256('digest-race')), [], 'PJ', tx);
      await held;
      return row;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = store(verified(sha256('digest-race')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    expect(await first).not.toBeNull();
    expect(await second).toBeNull();
  });

  it('keeps attachments in order, listing them without their bytes and serving one with them', async () => {
    const bytes = Buffer.from('%PDF-1.7 not really');
    const stored = await store(verified(sha256('with-attachments')), [
      {
        position: 0,
        filename: 'report.pdf',
        mediaType: 'application/pdf',
        sizeBytes: bytes.length,
        sha256: sha256('a'),
        content: bytes,
      },
      {
        position: 1,
        filename: 'notes.txt',
        mediaType: 'text/plain',
        sizeBytes: 2,
        sha256: sha256('b'),
        content: Buffer.from('hi'),
      },
    ]);
    const listed = await submissions.attachmentsOf(stored!.id);
    expect(listed.map((attachment) => attachment.filename)).toEqual(['report.pdf', 'notes.txt']);
    expect(listed[0]).not.toMatchObject({ content: expect.anything() });
    const one = await submissions.attachment(stored!.id, listed[0].id);
    expect(one?.content.equals(bytes)).toBe(true);
    const elsewhere = await store(verified(sha256('no-attachments')));
    expect(await submissions.attachment(elsewhere!.id, listed[0].id)).toBeNull();
    expect((await submissions.listedById(stored!.id))?.attachmentCount).toBe(2);
  });

  it('lists the inbox newest first, by triage state and source, with the sender named', async () => {
    const form = await store({
      source: 'form',
      senderProof: 'credential',
      status: 'verified',
      organisationId,
      senderContactId: contactId,
      reportKind: 'support-request',
      content: 'help',
      sizeBytes: 4,
      rawSizeBytes: 4,
    });
    const all = await submissions.inbox({ states: [], sources: [], limit: 200 });
    expect(all[0].submission.id).toBe(form!.id);
    expect(all[0]).toMatchObject({ organisation: 'Sending CERT', contact: 'Camille Reporter', itemState: null });
    const times = all.map((entry) => entry.submission.receivedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(await submissions.inbox({ states: [], sources: [], limit: 2 })).toHaveLength(2);
    const forms = await submissions.inbox({ states: ['received'], sources: ['form'], limit: 200 });
    expect(forms.map((entry) => entry.submission.id)).toEqual([form!.id]);
    await db.dataSource.transaction((tx) => submissions.close(form!.id, 'spam', tx));
    expect(await submissions.inbox({ states: ['received'], sources: ['form'], limit: 200 })).toEqual([]);
    const closed = await submissions.inbox({ states: ['closed', 'in-triage'], sources: ['form', 'email'], limit: 200 });
    expect(closed.map((entry) => entry.submission)).toEqual([
      expect.objectContaining({ id: form!.id, triageState: 'closed', closeReason: 'spam', closedAt: expect.any(Date) }),
    ]);
  });

  it('says whether the linked item went out: published, or routed before it was retracted, but not a draft', async () => {
    const draft = await fixtures.item({ state: 'draft' });
    const published = await fixtures.item({ state: 'published' });
    const retracted = await fixtures.item({ state: 'retracted' });
    const routedBefore = await fixtures.version(retracted, 1);
    await fixtures.outbox(routedBefore, { processed: true });
    const linked = async (itemId: string) => {
      const row = await store(verified(sha256(`linked-${itemId}`)));
      await db.dataSource.transaction(async (tx) => {
        expect((await submissions.lockById(row!.id, tx))?.id).toBe(row!.id);
        await submissions.update(row!.id, { itemId, triageState: 'in-triage' }, tx);
      });
      return (await submissions.listedById(row!.id))!;
    };
    expect(await linked(draft)).toMatchObject({ itemState: 'draft', itemPublished: false });
    expect(await linked(published)).toMatchObject({ itemState: 'published', itemPublished: true });
    expect(await linked(retracted)).toMatchObject({ itemState: 'retracted', itemPublished: true });
    expect((await submissions.ofItem(published)).map((row) => row.triageState)).toEqual(['in-triage']);
    expect(await submissions.listedById('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it("shows a sender the status of its own submissions only: its organisation's, or its portal account's and contact's", async () => {
    const user = await fixtures.user('reporter');
    const reporterContact = await fixtures.contact(organisationId, 'Dominique Reporter');
    const otherContact = await fixtures.contact(organisationId, 'Someone Else');
    const base = {
      source: 'form',
      senderProof: 'portal',
      status: 'verified',
      organisationId,
      sizeBytes: 1,
      rawSizeBytes: 1,
    } as const;
    const viaPortal = await store({ ...base, reporterUserId: user, senderContactId: reporterContact, content: 'a' });
    const byContact = await store({
      ...base,
      senderProof: 'credential',
      senderContactId: reporterContact,
      content: 'b',
    });
    const byOther = await store({ ...base, senderProof: 'credential', senderContactId: otherContact, content: 'c' });
    const ids = (rows: { submission: { id: string } }[]) => rows.map((row) => row.submission.id);
    const own = await submissions.reports({ kind: 'reporter', userId: user, contactId: reporterContact }, 100);
    expect(ids(own)).toEqual([byContact!.id, viaPortal!.id]);
    const organisation = await submissions.reports({ kind: 'organisation', organisationId }, 500);
    expect(ids(organisation)).toEqual(expect.arrayContaining([viaPortal!.id, byContact!.id, byOther!.id]));
    expect(organisation.every((row) => row.submission.organisationId === organisationId)).toBe(true);
    expect(organisation.some((row) => row.submission.status === 'rejected')).toBe(false);
    const everyone = await submissions.reports({ kind: 'everyone' }, 500);
    expect(everyone.length).toBeGreaterThan(organisation.length);
    const reference = byOther!.reference!;
    expect(ids(await submissions.reports({ kind: 'organisation', organisationId }, 1, reference))).toEqual([
      byOther!.id,
    ]);
    expect(
      await submissions.reports({ kind: 'reporter', userId: user, contactId: reporterContact }, 1, reference),
    ).toEqual([]);
    expect((await submissions.byReference(reference))?.id).toBe(byOther!.id);
  });

  it('takes part in the caller transaction: nothing stays when it rolls back', async () => {
    await expect(
      db.dataSource.transaction(async (tx) => {
        await submissions.insertUnlessKnown(verified(sha256('digest-rolled-back')), [], 'PJ', tx);
        expect(await submissions.sentBefore(organisationId, sha256('digest-rolled-back'), tx)).not.toBeNull();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await submissions.sentBefore(organisationId, sha256('digest-rolled-back'))).toBeNull();
  });
});
