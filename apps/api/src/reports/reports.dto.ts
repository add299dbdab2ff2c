import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { REPORT_KINDS, REPORT_URGENCIES, ReportKind, ReportUrgency } from '@tlp-broker/domain';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@tlp-broker/persistence';
import { PAP_LABELS, TLP_LABELS } from '@tlp-broker/tlp';
import { IsPapLabel, IsTimestamp, IsTlpLabel, PageLimit, SingleLine } from '../common/validators';
import { ConsentDto } from '../items/items.dto';
import { VICTIM_TYPES, VictimType } from './report-form';

const incident = (dto: ReportDto) => dto.kind === 'investigation-incident';
const supportRequest = (dto: ReportDto) => dto.kind === 'support-request';

/**
 * A reporting form: an incident related to an on-going investigation, or a request for
 * technical support. Fields of the other kind are refused, not ignored.
 */
export class ReportDto {
  @ApiProperty({ enum: REPORT_KINDS })
  @IsIn(REPORT_KINDS, { message: `kind must be one of: ${REPORT_KINDS.join(', ')}` })
  kind!: ReportKind;

  @ApiProperty({ example: 'Ransomware at a town hall', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @SingleLine()
  title!: string;

  @ApiProperty({
    enum: TLP_LABELS,
    description: 'How the report may be shared (TLP 1.0 and ISTLP spellings are read and normalised)',
  })
  @IsTlpLabel()
  tlp!: string;

  @ApiPropertyOptional({ enum: PAP_LABELS })
  @IsOptional()
  @IsPapLabel()
  pap?: string;

  @ApiPropertyOptional({
    type: ConsentDto,
    description: 'Your written consent to share with a wider audience than the label allows',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConsentDto)
  consent?: ConsentDto;

  @ApiProperty({ maxLength: 100_000 })
  @IsString()
  @Length(1, 100_000)
  description!: string;

  @ApiProperty({ enum: REPORT_URGENCIES })
  @IsIn(REPORT_URGENCIES, { message: `urgency must be one of: ${REPORT_URGENCIES.join(', ')}` })
  urgency!: ReportUrgency;

  @ApiPropertyOptional({ description: 'investigation-incident: the case reference', maxLength: 200 })
  @ValidateIf(incident)
  @IsString()
  @Length(1, 200)
  @SingleLine()
  caseReference?: string;

  @ApiPropertyOptional({
    description: 'investigation-incident: the unit in charge of the investigation',
    maxLength: 200,
  })
  @ValidateIf(incident)
  @IsString()
  @Length(1, 200)
  @SingleLine()
  investigatingUnit?: string;

  @ApiPropertyOptional({
    example: '2026-11-30T22:15:00+01:00',
    description: 'investigation-incident: when the incident happened (ISO 8601 with its time zone)',
  })
  @ValidateIf(incident)
  @IsTimestamp()
  incidentAt?: string;

  @ApiPropertyOptional({ enum: VICTIM_TYPES, description: 'investigation-incident' })
  @ValidateIf(incident)
  @IsIn(VICTIM_TYPES, { message: `victimType must be one of: ${VICTIM_TYPES.join(', ')}` })
  victimType?: VictimType;

  @ApiPropertyOptional({
    type: [String],
    example: ['hxxp://login-police[.]example/form', '198.51.100[.]7'],
    description:
      'investigation-incident: observables, one a line (defanged forms are read); lines that are not recognised are kept in the report',
  })
  @IsOptional()
  @ValidateIf(incident)
  @IsArray()
  @ArrayMaxSize(1_000)
  @IsString({ each: true })
  @Length(1, 2_048, { each: true, message: 'each observable must be 1 to 2048 characters long' })
  @SingleLine()
  observables?: string[];

  @ApiPropertyOptional({ description: 'support-request: what the request is about', maxLength: 200 })
  @ValidateIf(supportRequest)
  @IsString()
  @Length(1, 200)
  @SingleLine()
  topic?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A team member entering a report taken by phone: the organisation it came from (required then)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'organisationId must be an organisation id (a UUID)' })
  organisationId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A team member entering a report taken by phone: the contact who called',
  })
  @IsOptional()
  @IsUUID('all', { message: 'contactId must be a contact id (a UUID)' })
  contactId?: string;
}

export class ReportsQueryDto {
  @PageLimit(200, 100)
  limit?: number;
}

export class PortalAccountDto {
  @ApiProperty({ example: 'camille.martin', description: 'The name the reporter signs in with', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @SingleLine()
  name!: string;

  @ApiProperty({
    format: 'password',
    description: `The reporter's first password (at least ${MIN_PASSWORD_LENGTH} characters); an authenticator is enrolled at the first sign-in`,
  })
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, {
    message: `password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`,
  })
  password!: string;
}
