import { link, open, unlink, writeFile } from 'node:fs/promises';
import { ConflictException, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import * as openpgp from 'openpgp';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { AuditLog, TeamKeyEntity, TeamKeyRepository } from '@tlp-broker/persistence';
import { GeneratedKeyPair, generateKeyPair, TeamKeyUnlockError, unlockPrivateKey } from './seal';
import { MAX_KEY_BLOCK_CHARS } from './limits';

export interface TeamPublicKey {
  readonly fingerprint: string;
  readonly algorithm: string;
  readonly armored: string;
  readonly createdAt: Date;
}

export interface TeamKeyRecord extends TeamPublicKey {
  readonly active: boolean;
  readonly source: 'generated' | 'file';
  readonly retiredAt: Date | null;
}

/** How long a process trusts its loaded key before checking PostgreSQL for a rotation. */
const ROTATION_CHECK_MS = 2_000;

/**
 * The team's own signing key. Loaded from TEAM_KEY_FILE when set (the operator keeps the file;
 * only the public part is recorded in PostgreSQL), otherwise read from PostgreSQL where it is
 * kept passphrase-protected, generated there on first start and rotated on request. Retired keys
 * stay published, so what they signed can still be verified.
 */
@Injectable()
export class TeamKeyService implements OnModuleInit {
  private readonly logger = new Logger(TeamKeyService.name);
  private loaded: { key: openpgp.PrivateKey; info: TeamPublicKey; checkedAt: number } | null = null;
  /** Retired keys unlocked once (unlocking costs a key derivation); null: kept in PostgreSQL but not unlockable. */
  private readonly retired = new Map<string, openpgp.PrivateKey | null>();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly repository: TeamKeyRepository,
    private readonly audit: AuditLog,
  ) {}

  async onModuleInit(): Promise<void> {
    const { file } = this.config.teamKey;
    const armoredPrivate = file ? await this.readKeyFile(file) : await this.fromDatabase();
    const key = await this.unlock(armoredPrivate);
    if (file) {
      const publicArmored = key.toPublic().armor();
      const fingerprint = key.getFingerprint().toUpperCase();
      await this.repository.withLock(async (repo) => {
        const active = await repo.active();
        if (active?.fingerprint !== fingerprint) {
          await repo.save(
            Object.assign(new TeamKeyEntity(), {
              fingerprint,
              publicArmored,
              privateArmored: null,
              source: 'file',
              active: true,
              retiredAt: null,
            }),
          );
        }
      });
    }
    this.use(key);
    this.logger.log(`team key ${this.loaded!.info.fingerprint} loaded`);
  }

  /** The active key, reloaded when another process rotated it. */
  async current(): Promise<{ key: openpgp.PrivateKey; info: TeamPublicKey }> {
    if (!this.loaded) throw new Error('team key not loaded yet');
    if (!this.config.teamKey.file && Date.now() - this.loaded.checkedAt > ROTATION_CHECK_MS) {
      const active = await this.repository.activeFingerprint();
      if (active && active !== this.loaded.info.fingerprint) {
        const row = await this.repository.withLock((repo) => repo.active());
        if (row?.privateArmored) {
          this.use(await this.unlock(row.privateArmored));
          this.logger.log(`team key ${row.fingerprint} now in use (rotated)`);
        }
      }
      this.loaded.checkedAt = Date.now();
    }
    return { key: this.loaded.key, info: this.loaded.info };
  }

  /**
   * Every team key that can decrypt what partners send: the active one first, then the retired
   * ones kept in PostgreSQL (a partner may still encrypt to the key they fetched last year). A
   * retired key that came from TEAM_KEY_FILE has no private part there and is left out.
   */
  async decryptionKeys(): Promise<openpgp.PrivateKey[]> {
    const { key } = await this.current();
    const active = key.getFingerprint().toUpperCase();
    const keys = [key];
    for (const row of await this.repository.all()) {
      if (row.fingerprint === active || !row.privateArmored) continue;
      if (!this.retired.has(row.fingerprint)) this.retired.set(row.fingerprint, await this.unlockRetired(row));
      const retired = this.retired.get(row.fingerprint);
      if (retired) keys.push(retired);
    }
    return keys;
  }

  /** The name deliveries are signed under (TEAM_KEY_USER_ID). */
  publisherName(): string {
    return this.config.teamKey.userId.name;
  }

  /** Every team key the broker has used, active first: retired ones verify what they signed. */
  async all(): Promise<TeamKeyRecord[]> {
    const rows = await this.repository.all();
    const records = await Promise.all(
      rows.map(async (row) => {
        const key = await openpgp.readKey({ armoredKey: row.publicArmored });
        return {
          ...describe(key, row.publicArmored),
          active: row.active,
          source: row.source,
          retiredAt: row.retiredAt,
        };
      }),
    );
    return records.sort((a, b) => Number(b.active) - Number(a.active) || b.createdAt.getTime() - a.createdAt.getTime());
  }

  /**
   * Generates a new team key and makes it the active one; the previous key is retired, not
   * deleted. Not available when the key comes from TEAM_KEY_FILE: replace the file instead.
   */
  async rotate(actor: string): Promise<{ previous: string; current: TeamPublicKey }> {
    if (this.config.teamKey.file) {
      throw new ConflictException(
        'the team key is loaded from TEAM_KEY_FILE: rotate it by replacing that file and restarting',
      );
    }
    const pair = await generateKeyPair(this.config.teamKey.userId, this.config.teamKey.passphrase);
    const previous = await this.repository.withLock(async (repo, manager) => {
      const active = await repo.active();
      await repo.save(generatedKeyRow(pair));
      await this.audit.append(manager, {
        actor,
        action: 'team-key.rotated',
        subjectType: 'team-key',
        subjectId: pair.fingerprint,
        details: { previous: active?.fingerprint ?? null, current: pair.fingerprint },
      });
      return active?.fingerprint ?? '';
    });
    this.use(await this.unlock(pair.privateArmored));
    this.logger.log(`team key rotated: ${previous} retired, ${pair.fingerprint} active`);
    return { previous, current: this.loaded!.info };
  }

  private use(key: openpgp.PrivateKey): void {
    this.loaded = { key, info: describe(key, key.toPublic().armor()), checkedAt: Date.now() };
  }

  private async unlock(armoredPrivate: string): Promise<openpgp.PrivateKey> {
    const { file, passphrase } = this.config.teamKey;
    try {
      return await unlockPrivateKey(armoredPrivate, passphrase);
    } catch (error) {
      const where = file ? `TEAM_KEY_FILE ${file}` : 'the team key stored in the database';
      throw new TeamKeyUnlockError(
        `${where}: ${error instanceof Error ? error.message : String(error)} (check TEAM_KEY_PASSPHRASE)`,
      );
    }
  }

  /** A retired key that no longer unlocks (the passphrase changed since) is skipped with a warning, not fatal. */
  private async unlockRetired(row: TeamKeyEntity): Promise<openpgp.PrivateKey | null> {
    try {
      return await unlockPrivateKey(row.privateArmored!, this.config.teamKey.passphrase);
    } catch (error) {
      this.logger.warn(
        `retired team key ${row.fingerprint} cannot be unlocked with TEAM_KEY_PASSPHRASE; messages encrypted to it cannot be read (${error instanceof Error ? error.message : String(error)})`,
      );
      return null;
    }
  }

  private async readKeyFile(file: string): Promise<string> {
    try {
      return await readKeyFileBounded(file);
    } catch (error) {
      if (error instanceof TeamKeyUnlockError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(`TEAM_KEY_FILE ${file} cannot be read: ${(error as Error).message}`);
      }
    }
    // First start with a configured file that does not exist yet: generate it, readable by the owner only.
    const pair = await generateKeyPair(this.config.teamKey.userId, this.config.teamKey.passphrase);
    // Written aside, then linked into place: another process never reads half a key, and
    // when two start together (api and dispatcher) exactly one key wins.
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, pair.privateArmored, { mode: 0o600, flag: 'wx' });
      await link(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFileBounded(file);
      throw new Error(`TEAM_KEY_FILE ${file} cannot be written: ${(error as Error).message}`);
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    this.logger.log(`generated team key ${pair.fingerprint} into ${file}`);
    return pair.privateArmored;
  }

  private async fromDatabase(): Promise<string> {
    return this.repository.withLock(async (repo) => {
      const active = await repo.active();
      if (active?.privateArmored) return active.privateArmored;
      if (active) {
        throw new Error(
          `the active team key ${active.fingerprint} was loaded from a file; set TEAM_KEY_FILE to that file`,
        );
      }
      const pair = await generateKeyPair(this.config.teamKey.userId, this.config.teamKey.passphrase);
      await repo.save(generatedKeyRow(pair));
      this.logger.log(`generated team key ${pair.fingerprint}`);
      return pair.privateArmored;
    });
  }
}

/**
 * The key file's text, read no further than a private key can be long: a path pointing at
 * something else (a huge file, a device that never ends) stops start-up with a message, not with
 * the memory exhausted.
 */
async function readKeyFileBounded(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(MAX_KEY_BLOCK_CHARS + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_KEY_BLOCK_CHARS) {
        throw new TeamKeyUnlockError(
          `TEAM_KEY_FILE ${file} is larger than any OpenPGP private key (more than ${MAX_KEY_BLOCK_CHARS} bytes): check the path`,
        );
      }
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** A key the broker generated, kept passphrase-protected, as the active team key. */
function generatedKeyRow(pair: GeneratedKeyPair): TeamKeyEntity {
  return Object.assign(new TeamKeyEntity(), {
    fingerprint: pair.fingerprint,
    publicArmored: pair.publicArmored,
    privateArmored: pair.privateArmored,
    source: 'generated',
    active: true,
    retiredAt: null,
  });
}

function describe(key: openpgp.Key, armored: string): TeamPublicKey {
  const info = key.getAlgorithmInfo();
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    algorithm: [info.algorithm, info.curve ?? info.bits].filter(Boolean).join(' '),
    armored: key.isPrivate() ? key.toPublic().armor() : armored,
    createdAt: key.getCreationTime(),
  };
}
