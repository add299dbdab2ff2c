import { ImapFlow, ImapFlowOptions } from 'imapflow';

/** Where the team mailbox is and how it is read (config.intake.imap with the message size limit). */
export interface ImapMailboxSettings {
  /** `imaps://host[:993]`, or `imap://host[:143]` (STARTTLS required unless the host is the loopback address). */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  /** The folder reports arrive in (INBOX). */
  readonly mailbox: string;
  readonly processedFolder: string;
  readonly quarantineFolder: string;
  /** How often the mailbox is looked at when IDLE brings no news (or the server has no IDLE). */
  readonly pollMs: number;
  /** A message over this size is never downloaded. */
  readonly maxMessageBytes: number;
}

/** A message waiting in the mailbox, as listed without downloading it. */
export interface WaitingMessage {
  readonly uid: number;
  /** RFC822.SIZE as the server reports it. */
  readonly sizeBytes: number;
  /** The Message-ID header from the server's envelope, null when absent. */
  readonly messageId: string | null;
  /** The first From: address as written (never trusted as the sender). */
  readonly fromAddress: string | null;
}

/** Where a message is moved once handled: it is never deleted. */
export type MailboxFolder = 'processed' | 'quarantine';

export interface MailboxLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** A downloaded message, or why it was not. */
export type MessageSource =
  | { readonly kind: 'source'; readonly raw: Buffer }
  /** Bigger than the server announced, and over the limit. */
  | { readonly kind: 'too-large' }
  /** No longer there (another reader moved it). */
  | { readonly kind: 'gone' };

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 60_000;

/**
 * The team mailbox over IMAP (imapflow): lists what waits, downloads one message within the size
 * limit, moves handled messages to the processed or quarantine folder (never deleting one whose
 * copy did not land), marks quarantined messages with the reason, and waits for new mail with IDLE
 * — polling as a fallback — reconnecting with a growing delay when the server drops the connection.
 */
export class ImapMailbox {
  private client: ImapFlow | null = null;
  private uidValidity = '0';
  /** New mail announced since the last listing. */
  private newMail = false;

  constructor(
    private readonly settings: ImapMailboxSettings,
    private readonly logger: MailboxLogger,
    private readonly connectTo: (options: ImapFlowOptions) => ImapFlow = (options) => new ImapFlow(options),
  ) {}

  /** `host:port/mailbox`, for logs (no credentials). */
  describe(): string {
    const url = new URL(this.settings.url);
    return `${url.host}/${this.settings.mailbox}`;
  }

  /**
   * Reads the mailbox until `signal` aborts: `pass` runs on connecting, on new mail and every
   * pollMs. A dropped connection or a failed pass is logged and retried after a delay that grows
   * from half a second to a minute; nothing is thrown.
   */
  async run(pass: () => Promise<void>, signal: AbortSignal): Promise<void> {
    let failures = 0;
    let passing = false;
    // Stopping ends a connection attempt at once (a wait ends by itself); a pass finishes the message in hand.
    const interrupt = () => {
      if (!passing && !this.connected) this.drop();
    };
    signal.addEventListener('abort', interrupt, { once: true });
    while (!signal.aborted) {
      try {
        await this.open();
        // Mail announced from here on calls for another pass.
        this.newMail = false;
        passing = true;
        await pass().finally(() => (passing = false));
        failures = 0;
        await this.waitForMail(signal);
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        const delay = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), LAST_RETRY_MS);
        this.logger.warn(`team mailbox ${this.describe()}: ${describeError(error)}; trying again in ${delay} ms`);
        this.drop();
        await sleep(delay, signal);
      }
    }
    signal.removeEventListener('abort', interrupt);
    await this.close();
  }

  /** Connects and logs in if not connected, creates the processed and quarantine folders if missing, selects the mailbox. */
  async open(): Promise<void> {
    if (this.client?.usable) return;
    this.drop();
    const client = this.connectTo(this.clientOptions());
    // imapflow reports a broken socket as an 'error' event: unheard, it would end the process.
    client.on('error', (error: unknown) =>
      this.logger.warn(`team mailbox ${this.describe()}: connection error: ${describeError(error)}`),
    );
    client.on('exists', (update: { count: number; prevCount: number }) => {
      if (update.count > update.prevCount) this.newMail = true;
    });
    this.client = client;
    await client.connect();
    await this.ensureFolders(client);
    const opened = await client.mailboxOpen(this.settings.mailbox);
    this.uidValidity = opened.uidValidity.toString();
  }

  /** Whether the connection is up (after a failure: whether it was the connection that failed). */
  get connected(): boolean {
    return this.client?.usable === true;
  }

  /** UIDVALIDITY of the mailbox as opened: with a UID, names a message for as long as it stays there. */
  get validity(): string {
    return this.uidValidity;
  }

  /** Every message waiting in the mailbox, oldest first. */
  async waiting(): Promise<WaitingMessage[]> {
    const client = this.session();
    if (!client.mailbox || client.mailbox.exists === 0) return [];
    const listed = await client.fetchAll('1:*', { uid: true, size: true, envelope: true });
    return listed
      .map((message) => ({
        uid: message.uid,
        sizeBytes: message.size ?? 0,
        messageId: message.envelope?.messageId?.trim() || null,
        fromAddress: message.envelope?.from?.[0]?.address ?? null,
      }))
      .sort((a, b) => a.uid - b.uid);
  }

  /** Downloads a message: never more than maxMessageBytes, whatever the server announced. */
  async source(uid: number): Promise<MessageSource> {
    const client = this.session();
    const limit = this.settings.maxMessageBytes;
    const fetched = await client.fetchOne(String(uid), { uid: true, source: { maxLength: limit + 1 } }, { uid: true });
    if (!fetched || !fetched.source) {
      if (!client.usable) throw new Error(`the connection closed while downloading message ${uid}`);
      return { kind: 'gone' };
    }
    if (fetched.source.length > limit) return { kind: 'too-large' };
    return { kind: 'source', raw: fetched.source };
  }

  /** Moves a handled message to its folder: MOVE, or COPY then \Deleted and EXPUNGE once the copy landed. */
  async move(uid: number, folder: MailboxFolder): Promise<void> {
    const client = this.session();
    const destination = folder === 'processed' ? this.settings.processedFolder : this.settings.quarantineFolder;
    if (client.capabilities.has('MOVE')) {
      if (!(await client.messageMove(String(uid), destination, { uid: true })))
        throw new Error(`MOVE of message ${uid} to ${destination} failed`);
      return;
    }
    if (!(await client.messageCopy(String(uid), destination, { uid: true })))
      throw new Error(`COPY of message ${uid} to ${destination} failed: the message stays where it is`);
    // With UIDPLUS only this message is expunged; without it, EXPUNGE also removes messages someone
    // else had already marked \Deleted in this folder (as their own EXPUNGE would).
    if (!(await client.messageDelete(String(uid), { uid: true })))
      throw new Error(`message ${uid} was copied to ${destination} but not removed from ${this.settings.mailbox}`);
  }

  /** Marks the message with the reason (keyword `TlpbQuarantine_<reason>`), then moves it to quarantine. */
  async quarantine(uid: number, reason: string): Promise<void> {
    const client = this.session();
    const keyword = quarantineKeyword(reason);
    if (!(await client.messageFlagsAdd(String(uid), [keyword], { uid: true }))) {
      // The reason is kept with the submission all the same; only the folder does not show it.
      this.logger.warn(`team mailbox ${this.describe()}: the server did not keep the keyword ${keyword}`);
    }
    await this.move(uid, 'quarantine');
  }

  /** Returns on new mail (IDLE), after pollMs, or when `signal` aborts; throws when the connection drops. */
  async waitForMail(signal: AbortSignal): Promise<void> {
    const client = this.session();
    if (this.newMail || signal.aborted) return;
    let wake: (reason?: Error) => void = () => undefined;
    const woken = new Promise<void>((resolve, reject) => {
      wake = (reason?: Error) => (reason ? reject(reason) : resolve());
    });
    const onExists = () => wake();
    const onClose = () => wake(new Error('the server closed the connection'));
    const onAbort = () => wake();
    const timer = setTimeout(() => wake(), this.settings.pollMs);
    client.on('exists', onExists);
    client.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    const idling = client.idle().catch(() => undefined);
    try {
      await woken;
    } finally {
      clearTimeout(timer);
      client.off('exists', onExists);
      client.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    }
    // Any command ends IDLE; NOOP also hears what the server held back.
    if (client.usable) await client.noop();
    await idling;
  }

  /** Logs out (or closes the connection when the server does not answer). */
  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    await Promise.race([client.logout(), sleep(2_000)]).catch(() => undefined);
    client.close();
  }

  private session(): ImapFlow {
    if (!this.client?.usable) throw new Error('not connected to the team mailbox');
    return this.client;
  }

  /** Forgets a connection that failed, closing what is left of it. */
  private drop(): void {
    const client = this.client;
    this.client = null;
    if (client && !client.isClosed) client.close();
  }

  private async ensureFolders(client: ImapFlow): Promise<void> {
    const folders = new Set((await client.list()).map((folder) => folder.path));
    for (const folder of [this.settings.processedFolder, this.settings.quarantineFolder]) {
      if (folders.has(folder)) continue;
      try {
        await client.mailboxCreate(folder);
        this.logger.log(`team mailbox ${this.describe()}: created folder ${folder}`);
      } catch (error) {
        // Another reader may have created it at the same moment.
        const now = new Set((await client.list()).map((listed) => listed.path));
        if (!now.has(folder)) throw error;
      }
    }
  }

  private clientOptions(): ImapFlowOptions {
    const url = new URL(this.settings.url);
    const secure = url.protocol === 'imaps:';
    return {
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 993 : 143,
      secure,
      // Credentials cross the network only under TLS; on the loopback address plain IMAP will do.
      doSTARTTLS: secure ? undefined : !isLoopback(url.hostname),
      auth: {
        user: this.settings.user ?? decodeURIComponent(url.username),
        pass: this.settings.password ?? decodeURIComponent(url.password),
      },
      logger: false,
      disableAutoIdle: true,
      clientInfo: { name: 'tlp-broker' },
    };
  }
}

/** The IMAP keyword naming why a message is in quarantine: an atom (letters, digits, `_`, `-`). */
export function quarantineKeyword(reason: string): string {
  return `TlpbQuarantine_${reason.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const extra = error as Error & { responseText?: string; code?: string };
  return [error.message, extra.code, extra.responseText].filter(Boolean).join(' — ');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
