import { access } from 'node:fs/promises';
import { Injectable, NotFoundException } from '@nestjs/common';
import { AppConfig, InjectConfig } from '@tlp-broker/config';
import { checkpointSignatureChecker } from '@tlp-broker/crypto';
import {
  AuditCheckpointRepository,
  AuditTrailVerifier,
  AuditVerification,
  StoredCheckpoint,
  TeamKeyRepository,
} from '@tlp-broker/persistence';

@Injectable()
export class AuditService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly trail: AuditTrailVerifier,
    private readonly teamKeys: TeamKeyRepository,
    private readonly checkpoints: AuditCheckpointRepository,
  ) {}

  /**
   * The whole trail verified: chain, MACs and every checkpoint (signed by any team key the broker
   * has recorded, retired ones too), also those of AUDIT_CHECKPOINT_FILE when this process can read
   * it (the dispatcher may keep it on another machine: then `checkpointFile` is null in the report,
   * and `tlp-broker audit verify --checkpoints` checks it there).
   */
  async verify(): Promise<AuditVerification> {
    const file = this.config.audit.checkpointFile;
    const readable = file
      ? await access(file).then(
          () => true,
          () => false,
        )
      : false;
    const keys = await this.teamKeys.all();
    const checkSignature = await checkpointSignatureChecker(
      keys.map((key) => ({ fingerprint: key.fingerprint, armored: key.publicArmored })),
    );
    return this.trail.verify({
      macKey: this.config.audit.key,
      checkpointFile: readable ? file : undefined,
      checkSignature,
    });
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
