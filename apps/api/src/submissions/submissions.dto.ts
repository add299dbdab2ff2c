import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  CLOSE_REASONS,
  CloseReason,
  ITEM_KINDS,
  ItemKind,
  SUBMISSION_SOURCES,
  SubmissionSource,
  TRIAGE_STATES,
  TriageState,
} from '@tlp-broker/domain';
import { PAP_LABELS, TLP_LABELS } from '@tlp-broker/tlp';
import { IsPapLabel, IsTlpLabel, PageLimit, SingleLine } from '../common/validators';
import { AudienceDto } from '../items/items.dto';

export class SubmissionDto {
  @ApiProperty({
    description:
      "Signed material, signed with a key registered for your organisation: `gpg --clearsign` or `gpg --sign --armor` output, or signed and encrypted to the team's key (`GET /team/key.asc`): `gpg --sign --encrypt --recipient <team key> --armor` output",
  })
  @IsString()
  @Length(1, 1_500_000)
  message!: string;
}

/** A query value given once, repeated (`state=a&state=b`) or comma-separated (`state=a,b`), as one list. */
const listOf = () =>
  Transform(({ value }: { value: unknown }) =>
    (Array.isArray(value) ? value : [value]).flatMap((entry) =>
      typeof entry === 'string' ? entry.split(',').map((part) => part.trim()) : [entry],
    ),
  );

export class InboxQueryDto {
  @ApiPropertyOptional({
    enum: TRIAGE_STATES,
    isArray: true,
    description: 'Only submissions in these triage states (repeat it, or separate them with commas)',
  })
  @IsOptional()
  @listOf()
  @IsArray()
  @IsIn(TRIAGE_STATES, { each: true, message: `each state must be one of: ${TRIAGE_STATES.join(', ')}` })
  state?: TriageState[];

  @ApiPropertyOptional({
    enum: SUBMISSION_SOURCES,
    isArray: true,
    description: 'Only submissions that came in these ways (repeat it, or separate them with commas)',
  })
  @IsOptional()
  @listOf()
  @IsArray()
  @IsIn(SUBMISSION_SOURCES, { each: true, message: `each source must be one of: ${SUBMISSION_SOURCES.join(', ')}` })
  source?: SubmissionSource[];

  @PageLimit(200, 100)
  limit?: number;
}

export class ConfirmLabelDto {
  @ApiProperty({
    enum: TLP_LABELS,
    description: 'The label the source confirmed (TLP 1.0 and ISTLP spellings are read and normalised)',
  })
  @IsTlpLabel()
  tlp!: string;

  @ApiPropertyOptional({
    enum: PAP_LABELS,
    description: 'The PAP the source confirmed; the one read stays when absent',
  })
  @IsOptional()
  @IsPapLabel()
  pap?: string;
}

export class DraftItemDto {
  @ApiPropertyOptional({ enum: ITEM_KINDS, default: 'advisory' })
  @IsOptional()
  @IsIn(ITEM_KINDS, { message: `type must be one of: ${ITEM_KINDS.join(', ')}` })
  type?: ItemKind;

  @ApiPropertyOptional({ description: "The item's title; the submission's title when absent" })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  @SingleLine()
  title?: string;

  @ApiPropertyOptional({ description: "The item's summary" })
  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  summary?: string;

  @ApiPropertyOptional({
    description:
      "The item's body, when the analyst rewrote it for its recipients (a report's case details left out…); the submission's content when absent",
  })
  @IsOptional()
  @IsString()
  @Length(1, 1_000_000)
  body?: string;

  @ApiPropertyOptional({
    type: AudienceDto,
    description: 'Who the item is for (TLP:AMBER and stricter name organisations or contacts)',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AudienceDto)
  audience?: AudienceDto;
}

export class AttachSubmissionDto {
  @ApiProperty({ format: 'uuid', description: 'The existing item the submission is about' })
  @IsUUID('all', { message: 'itemId must be an item id (a UUID)' })
  itemId!: string;
}

export class CloseSubmissionDto {
  @ApiProperty({ enum: CLOSE_REASONS })
  @IsIn(CLOSE_REASONS, { message: `reason must be one of: ${CLOSE_REASONS.join(', ')}` })
  reason!: CloseReason;
}
