import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { AddressInfo, connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

/**
 * A real Dovecot IMAP server holding a team mailbox, started on a loopback port in a temporary
 * directory: the end-to-end tests read mail from it, and the demonstration sends a report to it.
 */

const DOVECOT = '/usr/sbin/dovecot';

/** Whether Dovecot (Debian: dovecot-imapd) is installed here. */
export function dovecotInstalled(): boolean {
  return existsSync(DOVECOT);
}
const USER = 'team';
const PASSWORD = 'team mailbox password';

/** A message as a folder of the team mailbox holds it. */
export interface FolderMessage {
  readonly uid: number;
  readonly messageId: string | null;
  readonly subject: string | null;
  /** System flags and keywords, e.g. `\Seen`, `TlpbQuarantine_undecryptable`. */
  readonly flags: string[];
}

export interface DovecotOptions {
  /** Advertise no MOVE (RFC 6851): a client must copy, flag \Deleted and expunge instead. */
  readonly withoutMove?: boolean;
}

/** A real Dovecot IMAP server on 127.0.0.1 holding the team mailbox (one user, plain password, no TLS). */
export interface Dovecot {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** `imap://127.0.0.1:<port>` */
  readonly url: string;
  /** The broker's settings to read this mailbox (INTAKE_IMAP_URL, user, password). */
  readonly env: Readonly<Record<string, string>>;
  /** APPENDs a raw message to a folder (INBOX by default), as a mail server delivering it would. */
  append(raw: string | Buffer, folder?: string): Promise<void>;
  /** The messages in a folder (none when the folder does not exist), in UID order. */
  messages(folder: string): Promise<FolderMessage[]>;
  /** Stops the server and removes its files. */
  close(): Promise<void>;
}

/** Starts Dovecot as a child process in a temporary directory, on a free loopback port. */
export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  const dir = await mkdtemp(join(tmpdir(), 'tlpb-dovecot-'));
  try {
    const config = await prepare(dir, options);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      await writeFile(join(dir, 'dovecot.conf'), config.replace('@PORT@', String(port)));
      const server = await launch(dir, port).catch((error: unknown) => {
        if (attempt >= 3) throw error;
        return null; // the port was taken meanwhile: try another
      });
      if (server) return dovecot(dir, port, server);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The accounts Dovecot runs as. As root (CI), its login processes must not be root, nor may the
 * mail processes: the package's own users and `nobody` take those parts. Otherwise all of it
 * runs as the current user.
 */
function accounts(): {
  internal: string;
  internalGroup: string;
  login: string;
  mail: { uid: number; gid: number };
} {
  const me = userInfo();
  if (me.uid !== 0) {
    const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
    return { internal: me.username, internalGroup: group, login: me.username, mail: { uid: me.uid, gid: me.gid } };
  }
  const exists = (name: string) => {
    try {
      execFileSync('id', ['-u', name], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  const internal = exists('dovecot') ? 'dovecot' : 'nobody';
  return {
    internal,
    internalGroup: execFileSync('id', ['-gn', internal], { encoding: 'utf8' }).trim(),
    login: exists('dovenull') ? 'dovenull' : 'nobody',
    mail: { uid: id('-u'), gid: id('-g') },
  };
}

async function prepare(dir: string, options: DovecotOptions): Promise<string> {
  const who = accounts();
  const mail = join(dir, 'mail');
  await Promise.all([mkdir(join(dir, 'run')), mkdir(join(dir, 'state')), mkdir(mail)]);
  // Dovecot's own users must reach its sockets and the mail under this directory.
  await chmod(dir, 0o755);
  if (userInfo().uid === 0) await chown(mail, who.mail.uid, who.mail.gid);
  await writeFile(join(dir, 'passwd'), `${USER}:{PLAIN}${PASSWORD}\n`, { mode: 0o644 });
  return [
    'protocols = imap',
    'listen = 127.0.0.1',
    `base_dir = ${join(dir, 'run')}`,
    `state_dir = ${join(dir, 'state')}`,
    `instance_name = ${dir.split('/').pop()}`,
    'log_path = /dev/stderr',
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    `default_internal_user = ${who.internal}`,
    `default_internal_group = ${who.internalGroup}`,
    `default_login_user = ${who.login}`,
    'first_valid_uid = 0',
    'first_valid_gid = 0',
    `mail_location = maildir:${mail}/%u`,
    ...(options.withoutMove ? [`imap_capability = ${CAPABILITIES_WITHOUT_MOVE}`] : []),
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%u ${join(dir, 'passwd')}`,
    '}',
    'userdb {',
    '  driver = static',
    `  args = uid=${who.mail.uid} gid=${who.mail.gid} home=${mail}/%u`,
    '}',
    'service imap-login {',
    '  inet_listener imap {',
    '    address = 127.0.0.1',
    '    port = @PORT@',
    '  }',
    '  inet_listener imaps {',
    '    port = 0',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Dovecot 2.3's post-login capabilities, less MOVE. */
const CAPABILITIES_WITHOUT_MOVE =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS ' +
  'THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED ' +
  'I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY LITERAL+';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs Dovecot in the foreground and waits for its greeting; rejects with its log when it does not come. */
async function launch(dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-8_000);
  });
  const exited = new Promise<never>((_resolve, reject) =>
    child.once('exit', (code) => reject(new Error(`dovecot exited (${code}): ${log}`))),
  );
  exited.catch(() => undefined);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const greeted = await Promise.race([greeting(port), exited]);
    if (greeted) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`dovecot did not answer on port ${port}: ${log}`);
}

/** Whether an IMAP server greets on the port. */
function greeting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('data', (data: Buffer) => done(data.toString('latin1').startsWith('* OK')));
    socket.once('error', () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });
}

function dovecot(dir: string, port: number, child: ChildProcess): Dovecot {
  // A test run that ends abruptly must not leave a server behind.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const url = `imap://127.0.0.1:${port}`;
  return {
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    url,
    env: { INTAKE_IMAP_URL: url, INTAKE_IMAP_USER: USER, INTAKE_IMAP_PASSWORD: PASSWORD },
    append: (raw, folder = 'INBOX') =>
      withClient(port, async (client) => {
        if (!(await client.append(folder, raw))) throw new Error(`APPEND to ${folder} failed`);
      }),
    messages: (folder) => withClient(port, (client) => folderMessages(client, folder)),
    async close() {
      process.off('exit', orphan);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function withClient<T>(port: number, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    auth: { user: USER, pass: PASSWORD },
    logger: false,
    disableAutoIdle: true,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function folderMessages(client: ImapFlow, folder: string): Promise<FolderMessage[]> {
  const folders = await client.list();
  if (!folders.some((listed) => listed.path === folder)) return [];
  const opened = await client.mailboxOpen(folder, { readOnly: true });
  if (opened.exists === 0) return [];
  const fetched = await client.fetchAll('1:*', { uid: true, flags: true, envelope: true });
  return fetched
    .map((message) => ({
      uid: message.uid,
      messageId: message.envelope?.messageId ?? null,
      subject: message.envelope?.subject ?? null,
      // \Recent depends on which session looked first: left out.
      flags: [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent'),
    }))
    .sort((a, b) => a.uid - b.uid);
}
