import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../apps/dispatcher/src/bootstrap';
import { ImapMailbox } from '@tlp-broker/channels';
import { startBroker, TestBroker } from './support/broker';
import { CuttingProxy, Dovecot, FolderMessage, startCuttingProxy, startDovecot } from './support/dovecot';
import { GnuPG } from './support/gnupg';
import { eventually } from './support/http';
import { message, pgpMime } from './support/mail-messages';
import { postOrganisation, teamPublicKey } from './support/partners';
import { Peer, pushSettings, ReceivedMail, startMailPeer } from './support/peers';

const run = promisify(execFile);

const MAX_MESSAGE_BYTES = 200_000;
const MAX_CONTENT_BYTES = 1024 * 1024;
const POLICE_A = 'Police A SOC <soc@police-a.example>';
const POLICE_B = 'Police B SOC <soc@police-b.example>';
const STRANGER = 'Stranger <someone@elsewhere.example>';

/** A submission row as an analyst would look at it. */
interface Row {
  id: string;
  status: string;
  sender_proof: string;
  organisation_id: string | null;
  signer_fingerprint: string | null;
  reference: string | null;
  reason: string | null;
  detail: string | null;
  from_address: string | null;
  encrypted: boolean;
  title: string | null;
  tlp: string | null;
  pap: string | null;
  content: string | null;
  indicators: { type: string; value: string }[];
  flags: string[];
  size_bytes: number;
}

/** `depth` multipart/mixed entities, one inside the other, around a line of text. */
function nested(depth: number): string {
  const open = Array.from({ length: depth }, (_, level) =>
    [`--n${level}`, `Content-Type: multipart/mixed; boundary="n${level + 1}"`, ''].join('\n'),
  );
  const close = Array.from({ length: depth }, (_, level) => `--n${depth - level}--`);
  return [...open, `--n${depth}`, 'Content-Type: text/plain', '', 'deep inside', ...close, '--n0--', ''].join('\n');
}

describe('the team mailbox over IMAP', () => {
  let dovecot: Dovecot;
  let proxy: CuttingProxy;
  let peer: Peer;
  let broker: TestBroker;
  let gnupg: GnuPG;
  let team: string;
  let policeA: { id: string; fingerprint: string };
  let policeB: { id: string; fingerprint: string };
  const mails: ReceivedMail[] = [];

  /** What GnuPG makes of `text` signed by `signer` and encrypted to `recipient` (armored). */
  const sealed = async (text: string, signer: string, recipient = team): Promise<string> => {
    const { stdout } = await gnupg.gpg(
      ['--trust-model', 'always', '--local-user', signer, '--recipient', recipient, '--sign', '--encrypt', '--armor'],
      text,
    );
    return stdout;
  };

  const registerPolice = async (name: string, userId: string, address: string) => {
    const key = await gnupg.generateKey(userId);
    const registered = await postOrganisation(broker.url, broker.adminKey, name, key.publicArmored, {
      kind: 'lea',
      relation: 'constituent',
      communities: [],
      channels: [{ kind: 'email', address }],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    return { id: registered.body.id as string, fingerprint: key.fingerprint };
  };

  const submission = async (messageId: string): Promise<Row> => {
    const rows: Row[] = await broker.db.query('SELECT * FROM submissions WHERE message_id = $1', [messageId]);
    expect(rows, `submissions of ${messageId}`).toHaveLength(1);
    return rows[0];
  };

  const folder = (name: string) => dovecot.messages(name);
  const inFolder = async (name: string, messageId: string): Promise<FolderMessage[]> =>
    (await folder(name)).filter((held) => held.messageId === messageId);

  /** Until the inbox is empty and every message appended so far sits in Processed or Quarantine. */
  const settled = (expected: number) =>
    eventually(
      async () =>
        (await folder('INBOX')).length === 0 &&
        (await folder('Processed')).length + (await folder('Quarantine')).length === expected,
      30_000,
      100,
      `${expected} messages moved out of INBOX`,
    );

  beforeAll(async () => {
    [dovecot, peer, gnupg] = await Promise.all([startDovecot(), startMailPeer(mails), GnuPG.create()]);
    proxy = await startCuttingProxy(dovecot);
    broker = await startBroker({
      env: {
        ...pushSettings(peer),
        ...dovecot.env,
        INTAKE_IMAP_URL: proxy.url,
        INTAKE_POLL_MS: '200',
        INTAKE_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
        INTAKE_MAX_MIME_DEPTH: '8',
        SUBMISSION_MAX_BYTES: String(MAX_CONTENT_BYTES),
      },
    });
    const teamKey = await teamPublicKey(broker.url);
    await gnupg.importKey(teamKey.armor());
    team = teamKey.getFingerprint().toUpperCase();
    policeA = await registerPolice('Police A', POLICE_A, 'soc@police-a.example');
    policeB = await registerPolice('Police B', POLICE_B, 'soc@police-b.example');
    await gnupg.generateKey(STRANGER);
  }, 60_000);

  afterAll(async () => {
    await broker?.close();
    await Promise.all([proxy?.close(), peer?.close(), gnupg?.destroy()]);
    await dovecot?.close();
  });

  describe('a morning of reports', () => {
    const bytes = 50 * 1024 * 1024;
    beforeAll(async () => {
      const reportA = [
        'Phishing wave against police mailboxes. TLP:AMBER PAP:GREEN',
        'Landing page hxxps://login-police[.]example/owa, sender 198.51.100.23.',
      ].join('\n');
      const bomb = await run(
        'sh',
        [
          '-c',
          `head -c ${bytes} /dev/zero | gpg --homedir '${gnupg.home}' --batch --no-tty --pinentry-mode loopback ` +
            `--passphrase '' --trust-model always --local-user '${POLICE_A}' --recipient ${team} ` +
            `--compress-algo bzip2 --compress-level 9 --sign --encrypt --armor`,
        ],
        { maxBuffer: 16 * 1024 * 1024 },
      );
      const messages = [
        pgpMime(
          {
            From: POLICE_A,
            To: 'csirt@test.example',
            Subject: 'Phishing wave',
            'Message-ID': '<pgp-mime@police-a.example>',
          },
          await sealed(`Content-Type: text/plain; charset=utf-8\r\n\r\n${reportA}\r\n`, POLICE_A),
        ),
        message(
          {
            From: POLICE_A,
            Subject: '[TLP:WHITE] Scan results',
            'Message-ID': '<inline@police-a.example>',
            'Content-Type': 'text/plain; charset=utf-8',
          },
          await sealed('Open resolvers seen at 203.0.113.5 and 203.0.113.6.\n', POLICE_A),
        ),
        message(
          {
            From: 'Concerned Citizen <citizen@mail.example>',
            Subject: 'Strange website',
            'Message-ID': '<clear@mail.example>',
            'Content-Type': 'text/plain; charset=utf-8',
          },
          'I was sent to www.fake-bank[.]example and asked for my card number.\n',
        ),
        pgpMime(
          { From: POLICE_A, Subject: 'Urgent: TLP:RED', 'Message-ID': '<spoofed@police-a.example>' },
          await sealed('Content-Type: text/plain\r\n\r\nPlease act on 192.0.2.66 now.\r\n', POLICE_B),
        ),
        pgpMime({ From: POLICE_A, Subject: 'Report', 'Message-ID': '<bomb@police-a.example>' }, bomb.stdout),
        message(
          {
            From: POLICE_A,
            Subject: 'Nested',
            'Message-ID': '<nested@police-a.example>',
            'Content-Type': 'multipart/mixed; boundary="n0"',
          },
          nested(30),
        ),
        pgpMime(
          { From: STRANGER, Subject: 'For someone else', 'Message-ID': '<unknown-key@elsewhere.example>' },
          await sealed('Content-Type: text/plain\r\n\r\nnot for the team\r\n', STRANGER, STRANGER),
        ),
        message(
          {
            From: STRANGER,
            Subject: 'Huge',
            'Message-ID': '<huge@elsewhere.example>',
            'Content-Type': 'text/plain',
          },
          `${'x'.repeat(76)}\n`.repeat(Math.ceil((MAX_MESSAGE_BYTES * 1.5) / 77)),
        ),
      ];
      for (const raw of messages) await dovecot.append(raw);
      await settled(messages.length);
    }, 60_000);

    it('takes in a PGP/MIME message GnuPG encrypted to the team and signed by a registered partner, from that partner', async () => {
      const row = await submission('<pgp-mime@police-a.example>');
      expect(row).toMatchObject({
        status: 'verified',
        sender_proof: 'signature',
        organisation_id: policeA.id,
        signer_fingerprint: policeA.fingerprint,
        from_address: 'soc@police-a.example',
        encrypted: true,
        title: 'Phishing wave',
        tlp: 'TLP:AMBER',
        pap: 'PAP:GREEN',
        flags: [],
      });
      expect(row.reference).toMatch(/^PJ-\d{4}-\d{6}$/);
      expect(row.content).toContain('Phishing wave against police mailboxes.');
      expect(row.indicators).toEqual(
        expect.arrayContaining([
          { type: 'url', value: 'https://login-police.example/owa' },
          { type: 'ipv4', value: '198.51.100.23' },
        ]),
      );
      expect(await inFolder('Processed', '<pgp-mime@police-a.example>')).toHaveLength(1);
      // The verified sender is acknowledged over its own e-mail channel.
      const acknowledgements = await broker.db.query(
        `SELECT to_address, recipient_fingerprint FROM submission_messages WHERE submission_id = $1 AND kind = 'acknowledgement'`,
        [row.id],
      );
      expect(acknowledgements).toEqual([
        { to_address: 'soc@police-a.example', recipient_fingerprint: policeA.fingerprint },
      ]);
    });

    it('takes in an inline PGP message, its TLP 1.0 label in the subject read in TLP 2.0 spelling', async () => {
      const row = await submission('<inline@police-a.example>');
      expect(row).toMatchObject({
        status: 'verified',
        organisation_id: policeA.id,
        encrypted: true,
        tlp: 'TLP:CLEAR',
        flags: [],
      });
      expect(row.content).toContain('Open resolvers seen at 203.0.113.5');
      expect(await inFolder('Processed', '<inline@police-a.example>')).toHaveLength(1);
    });

    it('accepts a message in the clear as non-sensitive: unverified, unlabelled held as TLP:AMBER, never acknowledged', async () => {
      const row = await submission('<clear@mail.example>');
      expect(row).toMatchObject({
        status: 'unverified',
        sender_proof: 'none',
        organisation_id: null,
        from_address: 'citizen@mail.example',
        encrypted: false,
        tlp: 'TLP:AMBER',
      });
      expect(row.flags.sort()).toEqual(['label-assumed', 'unencrypted', 'unsigned']);
      expect(row.indicators).toEqual(expect.arrayContaining([{ type: 'domain', value: 'www.fake-bank.example' }]));
      const answers = await broker.db.query('SELECT id FROM submission_messages WHERE submission_id = $1', [row.id]);
      expect(answers).toEqual([]);
      expect(await inFolder('Processed', '<clear@mail.example>')).toHaveLength(1);
    });

    it("names the signing key's owner as the sender, not the spoofed From:, and flags the mismatch", async () => {
      const row = await submission('<spoofed@police-a.example>');
      expect(row).toMatchObject({
        status: 'verified',
        organisation_id: policeB.id,
        signer_fingerprint: policeB.fingerprint,
        from_address: 'soc@police-a.example',
        tlp: 'TLP:RED',
      });
      expect(row.flags).toContain('from-mismatch');
    });

    it.each([
      ['a compression bomb', '<bomb@police-a.example>', 'too-large'],
      ['a deeply nested MIME message', '<nested@police-a.example>', 'too-deep'],
      ['a message encrypted to a key that is not the team’s', '<unknown-key@elsewhere.example>', 'undecryptable'],
      ['a message over the size limit (never downloaded)', '<huge@elsewhere.example>', 'too-large'],
    ])('refuses %s: recorded as rejected with the reason, quarantined with it', async (_what, messageId, reason) => {
      const row = await submission(messageId);
      expect(row).toMatchObject({ status: 'rejected', reason, reference: null, content: null, indicators: [] });
      expect(row.detail).toBeTruthy();
      expect(await inFolder('Processed', messageId)).toEqual([]);
      const [held] = await inFolder('Quarantine', messageId);
      expect(held.flags).toContain(`TlpbQuarantine_${reason}`);
    });

    it('audits each message taken in or refused under the mailbox intake', async () => {
      const events: { action: string; count: number }[] = await broker.db.query(
        `SELECT action, count(*)::int AS count FROM audit_events WHERE actor = 'intake:mailbox' GROUP BY action ORDER BY action`,
      );
      expect(events).toEqual([
        { action: 'submission.acknowledgement-queued', count: 3 },
        { action: 'submission.received', count: 4 },
        { action: 'submission.rejected', count: 4 },
      ]);
    });
  });

  it('takes the same message appended twice once, and moves both copies', async () => {
    const raw = message(
      { From: STRANGER, Subject: 'Twice', 'Message-ID': '<twice@elsewhere.example>', 'Content-Type': 'text/plain' },
      'Sent twice by a mail loop. TLP:GREEN\n',
    );
    const before = (await folder('Processed')).length;
    await dovecot.append(raw);
    await dovecot.append(raw);
    await eventually(async () => (await inFolder('Processed', '<twice@elsewhere.example>')).length === 2);
    expect((await folder('Processed')).length).toBe(before + 2);
    expect((await submission('<twice@elsewhere.example>')).tlp).toBe('TLP:GREEN');
    expect(await folder('INBOX')).toEqual([]);
  });

  it('resumes a message recorded before a stop but not yet moved: moved on, not recorded again', async () => {
    await broker.db.query(
      `INSERT INTO submissions (source, status, sender_proof, message_id, encrypted, size_bytes, raw_size_bytes, tlp)
       VALUES ('email', 'unverified', 'none', '<half-way@elsewhere.example>', false, 5, 100, 'TLP:CLEAR')`,
    );
    await dovecot.append(
      message(
        {
          From: STRANGER,
          Subject: 'Half way',
          'Message-ID': '<half-way@elsewhere.example>',
          'Content-Type': 'text/plain',
        },
        'hello\n',
      ),
    );
    await eventually(async () => (await inFolder('Processed', '<half-way@elsewhere.example>')).length === 1);
    expect((await submission('<half-way@elsewhere.example>')).size_bytes).toBe(5);
  });

  it('takes a message exactly once after the server dropped the connection in the middle of downloading it', async () => {
    const cutsBefore = proxy.cuts;
    proxy.cutNextDownloadAfter(300);
    await dovecot.append(
      message(
        { From: STRANGER, Subject: 'Cut short', 'Message-ID': '<cut@elsewhere.example>', 'Content-Type': 'text/plain' },
        `${'A report long enough to be cut in the middle. TLP:GREEN\n'.repeat(40)}`,
      ),
    );
    await eventually(async () => (await inFolder('Processed', '<cut@elsewhere.example>')).length === 1, 20_000);
    expect(proxy.cuts).toBe(cutsBefore + 1);
    const row = await submission('<cut@elsewhere.example>');
    expect(row.content).toContain('A report long enough to be cut in the middle.');
    expect(await folder('INBOX')).toEqual([]);
  });

  it('lets two dispatchers read the same mailbox without taking any message twice', async () => {
    const second: INestApplicationContext = await createDispatcher(broker.config);
    try {
      const ids = Array.from({ length: 6 }, (_, n) => `<pair-${n}@elsewhere.example>`);
      for (const id of ids) {
        await dovecot.append(
          message({ From: STRANGER, Subject: `Pair ${id}`, 'Message-ID': id, 'Content-Type': 'text/plain' }, 'hi\n'),
        );
      }
      await eventually(
        async () => (await folder('Processed')).filter((held) => ids.includes(held.messageId ?? '')).length === 6,
      );
      for (const id of ids) await submission(id);
      const received: { count: number }[] = await broker.db.query(
        `SELECT count(*)::int AS count FROM audit_events WHERE action = 'submission.received' AND details->>'reference' IN
           (SELECT reference FROM submissions WHERE message_id = ANY($1))`,
        [ids],
      );
      expect(received).toEqual([{ count: 6 }]);
    } finally {
      await second.close();
    }
  });
});

describe('ImapMailbox against Dovecot', () => {
  const logged: string[] = [];
  const logger = { log: (line: string) => logged.push(line), warn: (line: string) => logged.push(line) };
  const settings = (server: Dovecot) => ({
    url: server.url,
    user: server.user,
    password: server.password,
    mailbox: 'INBOX',
    processedFolder: 'Done.Processed',
    quarantineFolder: 'Done.Quarantine',
    pollMs: 60_000,
    maxMessageBytes: 10_000,
  });
  const note = (id: string) =>
    message({ From: STRANGER, Subject: id, 'Message-ID': id, 'Content-Type': 'text/plain' }, 'a note\n');

  it('wakes on new mail through IDLE, long before the poll interval', async () => {
    const server = await startDovecot();
    const mailbox = new ImapMailbox(settings(server), logger);
    try {
      await mailbox.open();
      expect(await mailbox.waiting()).toEqual([]);
      const started = Date.now();
      const woken = mailbox.waitForMail(new AbortController().signal);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await server.append(note('<idle@elsewhere.example>'));
      await woken;
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await mailbox.waiting()).toMatchObject([{ messageId: '<idle@elsewhere.example>' }]);
    } finally {
      await mailbox.close();
      await server.close();
    }
  });

  it('without MOVE on the server, copies, then removes the original once the copy landed', async () => {
    const server = await startDovecot({ withoutMove: true });
    const mailbox = new ImapMailbox(settings(server), logger);
    try {
      await server.append(note('<kept@elsewhere.example>'));
      await server.append(note('<refused@elsewhere.example>'));
      await mailbox.open();
      const [kept, refused] = await mailbox.waiting();
      await mailbox.move(kept.uid, 'processed');
      await mailbox.quarantine(refused.uid, 'undecryptable');
      expect(await server.messages('INBOX')).toEqual([]);
      expect(await server.messages('Done.Processed')).toMatchObject([{ messageId: '<kept@elsewhere.example>' }]);
      const [held] = await server.messages('Done.Quarantine');
      expect(held).toMatchObject({ messageId: '<refused@elsewhere.example>' });
      expect(held.flags).toContain('TlpbQuarantine_undecryptable');
    } finally {
      await mailbox.close();
      await server.close();
    }
  });
});
