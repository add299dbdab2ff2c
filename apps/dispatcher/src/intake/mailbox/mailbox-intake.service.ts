import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ImapMailbox } from '@tlp-broker/channels';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { IncomingKeys, TeamKeyService } from '@tlp-broker/crypto';
import { OrganisationRepository, SessionLocks } from '@tlp-broker/persistence';
import { MailTaker } from './mail-taker';

/**
 * Reads the team mailbox (INTAKE_IMAP_URL) while the dispatcher runs: on start, on new mail (IDLE)
 * and every INTAKE_POLL_MS, each waiting message is taken in, one at a time, by whichever
 * dispatcher holds the reader lock. Not started when no mailbox is configured. At shutdown the
 * message in hand is finished (recorded and moved) before the connection is closed.
 */
@Injectable()
export class MailboxIntakeService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MailboxIntake');
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly teamKey: TeamKeyService,
    private readonly organisations: OrganisationRepository,
    private readonly locks: SessionLocks,
    private readonly taker: MailTaker,
  ) {}

  onApplicationBootstrap(): void {
    const imap = this.config.intake.imap;
    if (!imap) return;
    const mailbox = new ImapMailbox({ ...imap, maxMessageBytes: this.config.intake.maxMessageBytes }, this.logger);
    this.logger.log(`reading the team mailbox ${mailbox.describe()}`);
    this.running = mailbox.run(() => this.pass(mailbox), this.stopping.signal);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** One look at the mailbox. */
  async pass(mailbox: ImapMailbox): Promise<void> {
    const lock = await this.locks.tryHold('mailbox-reader');
    if (!lock) return;
    try {
      const waiting = await mailbox.waiting();
      if (waiting.length === 0) return;
      const keys = await this.keys();
      for (const message of waiting) {
        if (this.stopping.signal.aborted) return;
        try {
          await this.taker.take(mailbox, message, keys);
        } catch (error) {
          // A dropped connection ends the pass (the mailbox reconnects); anything else leaves this
          // message where it is, to be tried again on the next pass, and goes on with the others.
          if (!mailbox.connected) throw error;
          this.logger.error(
            `team mailbox: message ${message.uid} (${message.messageId}) not taken in: ${describe(error)}`,
          );
        }
      }
    } finally {
      await lock.release();
    }
  }

  private async keys(): Promise<IncomingKeys> {
    const [team, registered] = await Promise.all([
      this.teamKey.decryptionKeys(),
      this.organisations.registeredKeyOwners(),
    ]);
    return { team, registered };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
