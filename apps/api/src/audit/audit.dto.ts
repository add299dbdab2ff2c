import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Min } from 'class-validator';
import { AuditBreakReason } from '@tlp-broker/persistence';
import { PageLimit, QueryInteger } from '../common/validators';

const BREAK_REASONS: AuditBreakReason[] = [
  'prev-hash',
  'hash',
  'mac',
  'mac-missing',
  'truncated',
  'checkpoint-row-missing',
  'checkpoint-hash',
  'checkpoint-signature',
  'checkpoint-altered',
  'checkpoint-deleted',
];

export class CheckpointsQueryDto {
  @PageLimit(1000, 100)
  limit?: number;

  @ApiPropertyOptional({
    description: 'the `id` of the last checkpoint of the previous page (checkpoints come newest first)',
    minimum: 1,
  })
  @IsOptional()
  @QueryInteger()
  @IsInt({ message: 'before must be a checkpoint id (a whole number)' })
  @Min(1)
  before?: number;
}

export class AuditBreakDto {
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'the event at fault (for a checkpoint, the event it names); null for an unreadable checkpoint',
    example: 4211,
  })
  seq!: number | null;

  @ApiProperty({ enum: BREAK_REASONS, example: 'mac' })
  reason!: AuditBreakReason;

  @ApiProperty({
    example:
      'event 4211 (item.published) is not authenticated by the audit key: it was rewritten with its hash recomputed, or forged',
  })
  detail!: string;
}

export class AuditHeadDto {
  @ApiProperty({ example: 5121 }) seq!: number;
  @ApiProperty() hash!: string;
}

export class LastCheckpointDto {
  @ApiProperty({ example: 5120 }) seq!: number;
  @ApiProperty({ example: '9f2c…' }) hash!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'fingerprint of the team key that signed it' }) signer!: string;
}

export class AuditVerificationDto {
  @ApiProperty() intact!: boolean;
  @ApiProperty({ description: 'events in the trail' }) events!: number;
  @ApiProperty({
    type: AuditHeadDto,
    nullable: true,
    description: 'the last event; those after `lastCheckpoint` are not signed in a checkpoint yet',
  })
  head!: AuditHeadDto | null;
  @ApiProperty({ description: 'events written before events carried a MAC: only the checkpoints vouch for them' })
  legacyRows!: number;
  @ApiProperty({ description: 'whether each event’s MAC was checked with the audit key' }) macsChecked!: boolean;
  @ApiProperty({ description: 'signed checkpoints checked' }) checkpoints!: number;
  @ApiProperty({ type: LastCheckpointDto, nullable: true }) lastCheckpoint!: LastCheckpointDto | null;
  @ApiProperty({ type: String, nullable: true, description: 'AUDIT_CHECKPOINT_FILE, when the API process can read it' })
  checkpointFile!: string | null;
  @ApiProperty({ type: AuditBreakDto, nullable: true, description: 'the first broken link, or null when intact' })
  firstBroken!: AuditBreakDto | null;
}

export class CheckpointDto {
  @ApiProperty() id!: number;
  @ApiProperty({ description: 'the last event when it was signed' }) seq!: number;
  @ApiProperty({ description: 'that event’s hash' }) hash!: string;
  @ApiProperty({ format: 'date-time' }) at!: Date;
  @ApiProperty({ description: 'fingerprint of the team key that signed it' }) signer!: string;
  @ApiProperty({
    description: 'the OpenPGP cleartext-signed checkpoint: `gpg --verify` checks it against the team key',
  })
  signed!: string;
}
