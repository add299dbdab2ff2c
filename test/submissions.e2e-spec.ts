import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { GnuPG } from './support/gnupg';
import { http } from './support/http';
import { postOrganisation } from './support/partners';

const run = promisify(execFile);

/**
 * Signed material partners send in: accepted only when signed by a key registered for the
 * sending partner; anything else is rejected, and the rejection is recorded and audited too.
 */
describe('submissions from partners', () => {
  let broker: TestBroker;
  let gnupg: GnuPG;
  let partner: { id: string; feedKey: string; fingerprint: string };
  let other: { feedKey: string; signer: openpgp.PrivateKey };

  const submit = (key: string, message: string) => http(broker.url, 'POST', '/submissions', { key, json: { message } });
  const recorded = async () =>
    (await broker.db.query(
      `SELECT status, reason, signer_fingerprint, content IS NOT NULL AS has_content FROM submissions ORDER BY received_at`,
    )) as {
      status: string;
      reason: string | null;
      signer_fingerprint: string | null;
      has_content: boolean;
    }[];

  beforeAll(async () => {
    broker = await startBroker({ dispatcher: false });
    gnupg = await GnuPG.create();
    const key = await gnupg.generateKey('Partner SOC <soc@partner-soc.example>');
    const registered = await postOrganisation(broker.url, broker.adminKey, 'Partner SOC', key.publicArmored, {
      kind: 'soc',
      relation: 'constituent',
      communities: ['fr-lea'],
      channels: [{ kind: 'feed', scopes: ['feed', 'submit'] }],
    });
    partner = { id: registered.body.id, feedKey: registered.body.channels[0].apiKey, fingerprint: key.fingerprint };
    const signer = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'Other', email: 'soc@other.example' }],
      format: 'object',
    });
    const otherOrg = await postOrganisation(broker.url, broker.adminKey, 'Other SOC', signer.publicKey.armor(), {
      kind: 'soc',
      communities: [],
      channels: [{ kind: 'feed', scopes: ['feed', 'submit'] }],
    });
    other = { feedKey: otherOrg.body.channels[0].apiKey, signer: signer.privateKey };
  });

  afterAll(async () => {
    await gnupg?.destroy();
    await broker?.close();
  });

  it('accepts what the partner signed with gpg (clear-signed and signed), naming the signer', async () => {
    const report = 'Phishing wave against town halls\nIoC: 198.51.100.7';
    for (const mode of ['clearsign', 'sign'] as const) {
      const response = await submit(partner.feedKey, await gnupg.sign(mode, 'Partner SOC', report));
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body).toMatchObject({
        status: 'verified',
        signerFingerprint: partner.fingerprint,
        organisation: 'Partner SOC',
      });
    }
    const [stored] = await broker.db.query(`SELECT content FROM submissions WHERE status = 'verified' LIMIT 1`);
    expect(stored.content.trim()).toBe(report);
  });

  it("rejects material signed by another partner's key, unsigned text, and a tampered message, recording each", async () => {
    const before = (await recorded()).length;
    const foreign = await openpgp.sign({
      message: await openpgp.createCleartextMessage({ text: 'from someone else' }),
      signingKeys: other.signer,
    });
    const wrongSigner = await submit(partner.feedKey, foreign);
    expect(wrongSigner.status).toBe(422);
    expect(wrongSigner.body.details[0]).toMatchObject({
      field: 'message',
      message: expect.stringMatching(/^unknown-signer/),
    });

    expect((await submit(partner.feedKey, 'just text, no signature')).body.details[0].message).toMatch(
      /^(unsigned|unreadable)/,
    );

    const signed = await gnupg.sign('clearsign', 'Partner SOC', 'Block 203.0.113.9');
    const tampered = signed.replace('203.0.113.9', '203.0.113.10');
    expect((await submit(partner.feedKey, tampered)).body.details[0].message).toMatch(/^bad-signature/);

    const rows = (await recorded()).slice(before);
    expect(rows.map((row) => [row.status, row.reason])).toEqual([
      ['rejected', 'unknown-signer'],
      ['rejected', expect.stringMatching(/unsigned|unreadable/)],
      ['rejected', 'bad-signature'],
    ]);
    expect(rows.every((row) => !row.has_content && row.signer_fingerprint === null)).toBe(true);
    const [audit] = await broker.db.query(`SELECT count(*) FROM audit_events WHERE action = 'submission.rejected'`);
    expect(Number(audit.count)).toBe(3);
  });

  it("accepts the other partner's material only on its own credential", async () => {
    const signed = await openpgp.sign({
      message: await openpgp.createCleartextMessage({ text: 'own report' }),
      signingKeys: other.signer,
    });
    expect((await submit(other.feedKey, signed)).status).toBe(201);
  });

  it('lists submissions to staff, not to partners', async () => {
    const list = await http(broker.url, 'GET', '/submissions', { key: broker.analystKey });
    expect(list.status).toBe(200);
    expect(list.body.length).toBeGreaterThanOrEqual(6);
    // The inbox lists each submission's title (its first line), never its content (GET /submissions/:id has it).
    expect(list.body.map((entry: { title: string | null }) => entry.title)).toContain(
      'Phishing wave against town halls',
    );
    expect(JSON.stringify(list.body)).not.toContain('IoC: 198.51.100.7');
    expect((await http(broker.url, 'GET', '/submissions', { key: partner.feedKey })).status).toBe(403);
    expect((await http(broker.url, 'POST', '/submissions', { json: { message: 'x' } })).status).toBe(401);
  });

  describe("signed and encrypted to the team's key", () => {
    let team: openpgp.PublicKey;
    let stranger: { privateKey: openpgp.PrivateKey; publicKey: openpgp.PublicKey };

    const stored = async (id: string) =>
      (
        (await broker.db.query(`SELECT content, encrypted, reason FROM submissions WHERE id = $1`, [id])) as {
          content: string | null;
          encrypted: boolean;
          reason: string | null;
        }[]
      )[0];
    const textMessage = (text: string) => openpgp.createMessage({ text });

    beforeAll(async () => {
      // What a partner does: fetch the team's key as a file, and import it into GnuPG.
      const armored = await http(broker.url, 'GET', '/team/key.asc');
      expect(armored.status).toBe(200);
      team = await openpgp.readKey({ armoredKey: armored.body });
      await gnupg.importKey(armored.body);
      stranger = await openpgp.generateKey({
        type: 'ecc',
        curve: 'curve25519Legacy',
        userIDs: [{ name: 'Stranger', email: 'x@stranger.example' }],
        format: 'object',
      });
    });

    it('accepts what the partner signed and encrypted with gpg, storing the decrypted text', async () => {
      const report = 'Ransomware at the prefecture, sent encrypted\nIoC: 203.0.113.66';
      const args = ['--trust-model', 'always', '--local-user', 'Partner SOC', '--recipient', team.getFingerprint()];
      const { stdout: message } = await gnupg.gpg([...args, '--armor', '--sign', '--encrypt', '--output', '-'], report);
      const response = await submit(partner.feedKey, message);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body).toMatchObject({
        status: 'verified',
        signerFingerprint: partner.fingerprint,
        organisation: 'Partner SOC',
        encrypted: true,
        rawSizeBytes: Buffer.byteLength(message),
        sizeBytes: Buffer.byteLength(report),
      });
      expect(await stored(response.body.id)).toEqual({ content: report, encrypted: true, reason: null });
    });

    it('recognises the same signed statement encrypted again (and sent signed only) as the first submission', async () => {
      const signed = await openpgp.sign({
        message: await textMessage('Signed once, encrypted twice: 192.0.2.200'),
        signingKeys: other.signer,
        format: 'object',
      });
      const first = await submit(other.feedKey, await openpgp.encrypt({ message: signed, encryptionKeys: team }));
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      expect(await stored(first.body.id)).toMatchObject({ content: 'Signed once, encrypted twice: 192.0.2.200' });

      const again = await openpgp.encrypt({ message: signed, encryptionKeys: team });
      for (const message of [again, signed.armor()]) {
        const repeated = await submit(other.feedKey, message);
        expect(repeated.status, JSON.stringify(repeated.body)).toBe(409);
        expect(repeated.body.details).toEqual([
          {
            field: 'message',
            message: expect.stringMatching(new RegExp(`^already received as submission ${first.body.id} on `)),
          },
        ]);
        expect(repeated.body.submission.id).toBe(first.body.id);
      }
    });

    it('refuses a message encrypted to the team but signed by a key not registered for the partner', async () => {
      const message = await openpgp.encrypt({
        message: await textMessage('from a key nobody registered'),
        signingKeys: stranger.privateKey,
        encryptionKeys: team,
      });
      const response = await submit(partner.feedKey, message);
      expect(response.status, JSON.stringify(response.body)).toBe(422);
      const keyId = stranger.publicKey.getKeyID().toHex().toUpperCase();
      expect(response.body.details).toEqual([
        { field: 'message', message: expect.stringMatching(new RegExp(`^unknown-signer: signed by key id ${keyId}`)) },
      ]);
      expect(await stored(response.body.submission.id)).toEqual({
        content: null,
        encrypted: true,
        reason: 'unknown-signer',
      });
    });

    it('refuses a message encrypted to another key (naming it) or with a passphrase only, recording each', async () => {
      const toStranger = await openpgp.encrypt({
        message: await textMessage('meant for someone else'),
        signingKeys: other.signer,
        encryptionKeys: stranger.publicKey,
      });
      const response = await submit(other.feedKey, toStranger);
      expect(response.status, JSON.stringify(response.body)).toBe(422);
      const keyId = (await stranger.publicKey.getEncryptionKey()).getKeyID().toHex().toUpperCase();
      const detail = `undecryptable: encrypted to key id ${keyId}, none of them a team key (current or retired)`;
      expect(response.body).toMatchObject({
        message: `message: rejected (${detail})`,
        details: [{ field: 'message', message: detail }],
      });
      expect(await stored(response.body.submission.id)).toEqual({
        content: null,
        encrypted: false,
        reason: 'undecryptable',
      });

      const withPassphrase = await openpgp.encrypt({
        message: await textMessage('locked with a passphrase'),
        signingKeys: other.signer,
        passwords: ['correct horse'],
      });
      const refused = await submit(other.feedKey, withPassphrase);
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
      expect(refused.body.details[0].message).toMatch(/^undecryptable: encrypted with a passphrase only/);
    });
  });
});

/**
 * What a partner's key can sign that the broker must not follow: a message that inflates far
 * beyond what was sent (a compression bomb), content that is not text, and the same message sent
 * again (a replay, or a tool retrying).
 */
describe('hostile and repeated submissions', () => {
  const MAX_BYTES = 10 * 1024 * 1024;
  let broker: TestBroker;
  let gnupg: GnuPG;
  let partner: { id: string; feedKey: string; fingerprint: string };

  const submit = (message: string) =>
    http(broker.url, 'POST', '/submissions', { key: partner.feedKey, json: { message } });
  const rows = async () =>
    (await broker.db.query(
      `SELECT id, status, reason, size_bytes, raw_size_bytes, content IS NOT NULL AS has_content FROM submissions ORDER BY received_at`,
    )) as {
      id: string;
      status: string;
      reason: string | null;
      size_bytes: number;
      raw_size_bytes: number;
      has_content: boolean;
    }[];

  /**
   * What `head -c BYTES /dev/zero | gpg --compress-algo ALGO --compress-level 9 --sign --armor` makes with the
   * partner's key; with `encryptTo`, `--sign --encrypt --recipient <encryptTo>`.
   */
  const bomb = async (algorithm: 'zlib' | 'bzip2', bytes: number, encryptTo?: string): Promise<string> => {
    const encrypt = encryptTo ? `--trust-model always --encrypt --recipient ${encryptTo}` : '';
    const gpg = `gpg --homedir '${gnupg.home}' --batch --no-tty --pinentry-mode loopback --passphrase '' --local-user 'Bomb SOC' --compress-algo ${algorithm} --compress-level 9 --sign ${encrypt} --armor`;
    const { stdout } = await run('sh', ['-c', `head -c ${bytes} /dev/zero | ${gpg}`], { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  };

  beforeAll(async () => {
    broker = await startBroker({ dispatcher: false });
    gnupg = await GnuPG.create();
    const key = await gnupg.generateKey('Bomb SOC <soc@bomb-soc.example>');
    const registered = await postOrganisation(broker.url, broker.adminKey, 'Bomb SOC', key.publicArmored, {
      kind: 'soc',
      relation: 'constituent',
      communities: [],
      channels: [{ kind: 'feed', scopes: ['feed', 'submit'] }],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    partner = { id: registered.body.id, feedKey: registered.body.channels[0].apiKey, fingerprint: key.fingerprint };
  });

  afterAll(async () => {
    await gnupg?.destroy();
    await broker?.close();
  });

  it.each(['zlib', 'bzip2'] as const)(
    'refuses a %s compression bomb signed by the partner (100 MB of zeros) with 413 naming message, quickly, in bounded memory, keeping none of it',
    async (algorithm) => {
      const message = await bomb(algorithm, 100 * 1024 * 1024);
      expect(message.length).toBeLessThan(200_000);
      const before = await rows();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      const started = performance.now();
      let response: Awaited<ReturnType<typeof submit>>;
      try {
        response = await submit(message);
      } finally {
        clearInterval(sample);
      }
      const elapsed = performance.now() - started;
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(response.status, JSON.stringify(response.body)).toBe(413);
      expect(response.body.details).toEqual([
        {
          field: 'message',
          message: `too-large: the signed content is larger than ${MAX_BYTES} bytes once decompressed`,
        },
      ]);
      expect(response.body.message).toMatch(/^message: /);
      expect(elapsed).toBeLessThan(5_000);
      // Inflating it whole would take the 100 MB, and several copies of it on the way to PostgreSQL.
      expect(peak - baseline).toBeLessThan(80 * 1024 * 1024);
      // Recorded as refused, with what was received; nothing of the content is kept.
      const added = (await rows()).slice(before.length);
      expect(added).toEqual([
        {
          id: response.body.submission.id,
          status: 'rejected',
          reason: 'too-large',
          size_bytes: 0,
          raw_size_bytes: Buffer.byteLength(message),
          has_content: false,
        },
      ]);
      const [{ largest }] = await broker.db.query(
        `SELECT coalesce(max(octet_length(content)), 0)::int AS largest FROM submissions`,
      );
      expect(largest).toBeLessThan(1024);
    },
  );

  it("refuses a compression bomb signed and encrypted to the team's key with 413 too, quickly, keeping none of it", async () => {
    const armored = await http(broker.url, 'GET', '/team/key.asc');
    await gnupg.importKey(armored.body);
    const team = (await openpgp.readKey({ armoredKey: armored.body })).getFingerprint();
    const message = await bomb('zlib', 100 * 1024 * 1024, team);
    expect(message.length).toBeLessThan(200_000);
    const before = await rows();
    const started = performance.now();
    const response = await submit(message);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(response.status, JSON.stringify(response.body)).toBe(413);
    expect(response.body.details).toEqual([
      { field: 'message', message: `too-large: the content is larger than ${MAX_BYTES} bytes once decompressed` },
    ]);
    expect((await rows()).slice(before.length)).toEqual([
      {
        id: response.body.submission.id,
        status: 'rejected',
        reason: 'too-large',
        size_bytes: 0,
        raw_size_bytes: Buffer.byteLength(message),
        has_content: false,
      },
    ]);
  });

  it('keeps a compressed report within the bound, recording the bytes kept and the bytes received', async () => {
    const report = `${'Indicators of the phishing wave: 198.51.100.7, 203.0.113.9\n'.repeat(20_000)}`;
    const file = join(gnupg.home, 'report.txt');
    await writeFile(file, report);
    const { stdout: message } = await gnupg.gpg([
      '--local-user',
      'Bomb SOC',
      '--compress-algo',
      'zlib',
      '--sign',
      '--armor',
      '--output',
      '-',
      file,
    ]);
    const response = await submit(message);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({
      status: 'verified',
      sizeBytes: Buffer.byteLength(report),
      rawSizeBytes: Buffer.byteLength(message),
    });
    expect(response.body.rawSizeBytes).toBeLessThan(response.body.sizeBytes / 10);
  });

  it('refuses signed content that is not text (a NUL character) with 422, not a server error', async () => {
    const response = await submit(await gnupg.sign('sign', 'Bomb SOC', Buffer.from('report\0with a NUL byte\n')));
    expect(response.status, JSON.stringify(response.body)).toBe(422);
    expect(response.body.details).toEqual([{ field: 'message', message: expect.stringMatching(/^not-text: .*NUL/) }]);
  });

  it('answers the same signed message sent again 409 with the first reference, and stores it once', async () => {
    const message = await gnupg.sign('clearsign', 'Bomb SOC', 'Replay check: block 192.0.2.77\n');
    const first = await submit(message);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const before = await rows();

    const again = await submit(message);
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(again.body.details).toEqual([
      {
        field: 'message',
        message: expect.stringMatching(new RegExp(`^already received as submission ${first.body.id} on `)),
      },
    ]);
    expect(again.body.submission).toMatchObject({ id: first.body.id, status: 'verified' });
    // The same signed statement in other clothes: other line endings, an armor header added.
    const rewrapped = message
      .replace('-----BEGIN PGP SIGNATURE-----\n', '-----BEGIN PGP SIGNATURE-----\nComment: sent again\n')
      .replace(/\n/g, '\r\n');
    const disguised = await submit(rewrapped);
    expect(disguised.status, JSON.stringify(disguised.body)).toBe(409);
    expect(disguised.body.submission.id).toBe(first.body.id);
    expect(await rows()).toEqual(before);

    // Other content is another message.
    expect((await submit(await gnupg.sign('clearsign', 'Bomb SOC', 'Replay check: block 192.0.2.78\n'))).status).toBe(
      201,
    );
  });

  it('stores one of two identical messages sent at the same moment, and answers the other 409', async () => {
    const message = await gnupg.sign('sign', 'Bomb SOC', 'Sent twice at once: 198.51.100.99\n');
    const before = (await rows()).length;
    const answers = await Promise.all([submit(message), submit(message)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    const created = answers.find((answer) => answer.status === 201)!;
    expect(answers.find((answer) => answer.status === 409)!.body.submission.id).toBe(created.body.id);
    expect((await rows()).length).toBe(before + 1);
  });

  it('records a refused message once: sent again, it is refused again with the first record as its reference', async () => {
    const signed = await gnupg.sign('clearsign', 'Bomb SOC', 'Block 203.0.113.50\n');
    const tampered = signed.replace('203.0.113.50', '203.0.113.51');
    const first = await submit(tampered);
    expect(first.status).toBe(422);
    const before = await rows();
    const again = await submit(tampered);
    expect(again.status).toBe(422);
    expect(again.body.details).toEqual([
      {
        field: 'message',
        message: expect.stringMatching(
          new RegExp(`^bad-signature: .*already received as submission ${first.body.submission.id}, and refused`),
        ),
      },
    ]);
    expect(again.body.submission.id).toBe(first.body.submission.id);
    expect(await rows()).toEqual(before);
    // The untampered message is not a repeat of the refused one.
    expect((await submit(signed)).status).toBe(201);
  });
});
