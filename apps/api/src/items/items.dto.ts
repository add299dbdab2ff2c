import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PAP_LABELS, TLP_LABELS } from '@tlp-broker/tlp';
import { IsPapLabel, IsTimestamp, IsTlpLabel, PageLimit, QueryInteger, SingleLine } from '../common/validators';
import { COMMUNITY_PATTERN } from '../organisations/organisations.dto';
import {
  INDICATOR_TYPES,
  ITEM_KINDS,
  ITEM_STATES,
  IndicatorType,
  ItemKind,
  ItemState,
  SEVERITIES,
  Severity,
} from '@tlp-broker/domain';

export class AudienceDto {
  @ApiPropertyOptional({ type: [String], example: ['eu-lea'], description: 'Communities (TLP:GREEN)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(COMMUNITY_PATTERN, { each: true, message: 'each community must be lower-case letters, digits and "-"' })
  communities?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Organisation ids (TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each organisation must be an organisation id (UUID)' })
  organisations?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Contact ids (required for TLP:RED)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each contact must be a contact id (UUID)' })
  contacts?: string[];
}

export class ConsentDto {
  @ApiProperty({
    type: AudienceDto,
    description: 'Whom the originator agreed the broker may share with, beyond what its label allows',
  })
  @IsObject()
  @ValidateNested()
  @Type(() => AudienceDto)
  audience!: AudienceDto;

  @ApiProperty({
    example: 'E-mail from EC3 duty desk, 2026-11-20, message id <...>',
    description: "Where the originator's written consent is recorded",
  })
  @IsString()
  @Length(1, 500)
  @SingleLine()
  reference!: string;
}

export class ProvenanceDto {
  @ApiProperty({ example: 'Europol EC3', description: 'The partner whose material this item is derived from' })
  @IsString()
  @Length(1, 200)
  @SingleLine()
  originator!: string;

  @ApiProperty({ enum: TLP_LABELS, description: 'The label the material came with' })
  @IsTlpLabel()
  label!: string;

  @ApiPropertyOptional({ type: ConsentDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConsentDto)
  consent?: ConsentDto;
}

export class IndicatorDto {
  @ApiProperty({ enum: INDICATOR_TYPES, example: 'ipv4' })
  @IsIn(INDICATOR_TYPES, { message: `type must be one of: ${INDICATOR_TYPES.join(', ')}` })
  type!: IndicatorType;

  @ApiProperty({ example: '203.0.113.7' })
  @IsString()
  @Length(1, 2048)
  @SingleLine()
  value!: string;

  @ApiPropertyOptional({ example: 'Command-and-control server' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;
}

export class CreateItemDto {
  @ApiProperty({ enum: ITEM_KINDS, example: 'advisory' })
  @IsIn(ITEM_KINDS, { message: `type must be one of: ${ITEM_KINDS.join(', ')}` })
  type!: ItemKind;

  @ApiProperty({ example: 'Phishing campaign impersonating the national police' })
  @IsString()
  @Length(1, 300)
  @SingleLine()
  title!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  summary?: string;

  @ApiProperty()
  @IsString()
  @Length(1, 1_000_000)
  body!: string;

  @ApiProperty({
    enum: TLP_LABELS,
    description: 'TLP 2.0 label; TLP 1.0 / ISTLP spellings such as TLP:WHITE are accepted and normalised',
  })
  @IsTlpLabel()
  tlp!: string;

  @ApiPropertyOptional({ enum: PAP_LABELS })
  @IsOptional()
  @IsPapLabel()
  pap?: string;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsOptional()
  @IsIn(SEVERITIES, { message: `severity must be one of: ${SEVERITIES.join(', ')}` })
  severity?: Severity;

  @ApiPropertyOptional({ type: AudienceDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AudienceDto)
  audience?: AudienceDto;

  @ApiPropertyOptional({
    example: '2026-12-01T08:00:00Z',
    description: 'Embargo: nothing is delivered before this time (ISO 8601 with a time zone)',
  })
  @IsOptional()
  @IsTimestamp()
  releaseAt?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['judicial-secret'],
    description: 'Handling caveats: only accredited organisations receive the item',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @Matches(COMMUNITY_PATTERN, {
    each: true,
    message: 'each caveat must be lower-case letters, digits and "-" (e.g. "judicial-secret")',
  })
  caveats?: string[];

  @ApiPropertyOptional({
    type: [IndicatorDto],
    description: 'Observables the item is about: served as STIX indicators and MISP attributes',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5_000)
  @ValidateNested({ each: true })
  @Type(() => IndicatorDto)
  indicators?: IndicatorDto[];

  @ApiPropertyOptional({ type: ProvenanceDto, description: "Set when the item is derived from a partner's material" })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ProvenanceDto)
  provenance?: ProvenanceDto;
}

export class ExplainQueryDto {
  @ApiProperty({ description: 'The organisation (partner) id' })
  @IsUUID('all', { message: 'organisation must be an organisation id (UUID)' })
  organisation!: string;
}

export class RejectDto {
  @ApiProperty({ example: 'Audience too wide for a judicial-secret item' })
  @IsString()
  @Length(1, 1000)
  @SingleLine()
  reason!: string;
}

export class RetractDto {
  @ApiProperty({
    example: 'Indicators were a sinkhole, not the actor',
    description: 'Why the item is withdrawn: kept in the audit trail',
  })
  @IsString()
  @Length(1, 1000)
  @SingleLine()
  reason!: string;

  @ApiPropertyOptional({
    example: 'The IP addresses in this advisory belong to a sinkhole; please remove them from your blocklists.',
    description: 'A note for the recipients, sent inside every recall notice (encrypted like the item was)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  notice?: string;
}

export class ItemsQueryDto {
  @ApiPropertyOptional({ enum: ITEM_STATES, description: '`pending-approval`: the approvals queue' })
  @IsOptional()
  @IsIn(ITEM_STATES, { message: `state must be one of: ${ITEM_STATES.join(', ')}` })
  state?: ItemState;

  @ApiPropertyOptional({ description: 'Only items whose title contains this text, in any case', maxLength: 200 })
  @IsOptional()
  @IsString({ message: 'q must be text (given once)' })
  @MaxLength(200, { message: 'q must be at most 200 characters' })
  q?: string;

  @PageLimit(500, 50)
  limit?: number;
}

export class ItemAuditQueryDto {
  @ApiPropertyOptional({
    description: 'the `seq` of the last event of the previous page (events come oldest first)',
    minimum: 0,
  })
  @IsOptional()
  @QueryInteger()
  @IsInt({ message: 'after must be an event seq (a whole number)' })
  @Min(0, { message: 'after must be an event seq (a whole number)' })
  after?: number;

  @PageLimit(1000, 200)
  limit?: number;
}
