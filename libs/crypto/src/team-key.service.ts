import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import * as openpgp from 'openpgp';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { TeamKeyEntity, TeamKeyRepository } from '@tlp-broker/persistence';
import { generateKeyPair, TeamKeyUnlockError, unlockPrivateKey } from './seal';

export interface TeamPublicKey {
  readonly fingerprint: string;
  readonly algorithm: string;
  readonly armored: string;
  readonly createdAt: Date;
}

/**
 * The team's own signing key. Loaded from TEAM_KEY_FILE when set (the operator keeps the file;
 * only the public part is recorded in PostgreSQL), otherwise read from PostgreSQL where it is
 * kept passphrase-protected, and generated there on first start.
 */
@Injectable()
export class TeamKeyService implements OnModuleInit {
  private readonly logger = new Logger(TeamKeyService.name);
  private privateKey: openpgp.PrivateKey | null = null;
  private publicInfo: TeamPublicKey | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly repository: TeamKeyRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const { file, passphrase } = this.config.teamKey;
    const armoredPrivate = file ? await this.readKeyFile(file) : await this.fromDatabase();
    let key: openpgp.PrivateKey;
    try {
      key = await unlockPrivateKey(armoredPrivate, passphrase);
    } catch (error) {
      const where = file ? `TEAM_KEY_FILE ${file}` : 'the team key stored in the database';
      throw new TeamKeyUnlockError(`${where}: ${error instanceof Error ? error.message : String(error)} (check TEAM_KEY_PASSPHRASE)`);
    }
    const publicKey = key.toPublic();
    const fingerprint = key.getFingerprint().toUpperCase();
    if (file) {
      await this.repository.withLock(async (repo) => {
        const active = await repo.active();
        if (active?.fingerprint !== fingerprint) {
          await repo.save(Object.assign(new TeamKeyEntity(), { fingerprint, publicArmored: publicKey.armor(), privateArmored: null, source: 'file', active: true }));
        }
      });
    }
    const info = key.getAlgorithmInfo();
    this.privateKey = key;
    this.publicInfo = {
      fingerprint,
      algorithm: [info.algorithm, info.curve ?? info.bits].filter(Boolean).join(' '),
      armored: publicKey.armor(),
      createdAt: key.getCreationTime(),
    };
    this.logger.log(`team key ${fingerprint} loaded`);
  }

  signingKey(): openpgp.PrivateKey {
    if (!this.privateKey) throw new Error('team key not loaded yet');
    return this.privateKey;
  }

  /** The name deliveries are signed under (TEAM_KEY_USER_ID). */
  publisherName(): string {
    return this.config.teamKey.userId.name;
  }

  publicKey(): TeamPublicKey {
    if (!this.publicInfo) throw new Error('team key not loaded yet');
    return this.publicInfo;
  }

  private async readKeyFile(file: string): Promise<string> {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
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
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFile(file, 'utf8');
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
        throw new Error(`the active team key ${active.fingerprint} was loaded from a file; set TEAM_KEY_FILE to that file`);
      }
      const pair = await generateKeyPair(this.config.teamKey.userId, this.config.teamKey.passphrase);
      await repo.save(
        Object.assign(new TeamKeyEntity(), {
          fingerprint: pair.fingerprint,
          publicArmored: pair.publicArmored,
          privateArmored: pair.privateArmored,
          source: 'generated',
          active: true,
        }),
      );
      this.logger.log(`generated team key ${pair.fingerprint}`);
      return pair.privateArmored;
    });
  }
}
