import { access } from 'node:fs/promises';
import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { verifyAudit } from '@tlp-broker/crypto';
import { AuditCheckpointRepository, AuditVerification, StoredCheckpoint } from '@tlp-broker/persistence';

@Injectable()
export class AuditService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly checkpoints: AuditCheckpointRepository,
  ) {}

  /**
   * The whole trail verified: chain, MACs and every checkpoint, also those of AUDIT_CHECKPOINT_FILE
   * when this process can read it (the dispatcher may keep it on another machine: then
   * `checkpointFile` is null in the report, and `tlp-broker audit verify --checkpoints` checks it there).
   */
  async verify(): Promise<AuditVerification> {
    const file = this.config.audit.checkpointFile;
    const readable = file
      ? await access(file).then(
          () => true,
          () => false,
        )
      : false;
    return verifyAudit(this.dataSource, { macKey: this.config.audit.key, checkpointFile: readable ? file : undefined });
  }

  list(limit = 100, before?: number): Promise<StoredCheckpoint[]> {
    return this.checkpoints.list(limit, before);
  }

  async latest(): Promise<StoredCheckpoint> {
    const latest = await this.checkpoints.latest();
    if (!latest)
      throw new NotFoundException('no checkpoint yet: the dispatcher signs the first once audit events exist');
    return latest;
  }
}
