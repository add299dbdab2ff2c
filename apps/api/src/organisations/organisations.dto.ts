import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { SingleLine } from '../common/validators';
import {
  ORGANISATION_KINDS,
  OrganisationKind,
  PARTNER_SCOPES,
  PARTNER_STATUSES,
  PartnerScope,
  PartnerStatus,
  RELATIONS,
  Relation,
} from '@tlp-broker/domain';

/** The fingerprint an administrator obtained out of band; the key must match it. */
const PinnedFingerprint = () =>
  applyDecorators(
    ApiPropertyOptional({
      example: '8D2A 41C2 …',
      description: 'Fingerprint obtained out of band (phone, signed letter): the key must match it',
    }),
    IsOptional(),
    IsString(),
    MaxLength(200),
    SingleLine(),
  );

/**
 * What a feed channel's first API key opens when registration does not say: the pull forms, which
 * all show the same deliveries (JSON feed, TAXII, MISP feed). Sending material in the partner's
 * name (`submit`) is never given unless asked for.
 */
export const DEFAULT_FEED_SCOPES: readonly PartnerScope[] = ['feed', 'taxii', 'misp'];

const FeedKeyScopes = () =>
  applyDecorators(
    ApiPropertyOptional({
      enum: PARTNER_SCOPES,
      isArray: true,
      default: DEFAULT_FEED_SCOPES,
      description:
        'feed channels: what the API key returned at registration opens (more keys, each with its own scopes, under …/credentials)',
    }),
    IsOptional(),
    IsArray({ message: `scopes must be a list of one or more of ${PARTNER_SCOPES.join(', ')}` }),
    ArrayMinSize(1, { message: 'scopes must list at least one scope' }),
    ArrayUnique(),
    IsIn(PARTNER_SCOPES, { each: true, message: `each scope must be one of: ${PARTNER_SCOPES.join(', ')}` }),
  );

/** A called hook's HMAC secret (webhook, pager). */
const HookSecret = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ description }),
    IsOptional(),
    IsString(),
    Length(16, 200, { message: 'secret must be 16 to 200 characters' }),
    SingleLine(),
  );

export const COMMUNITY_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SLUG_MESSAGE = 'each entry must be lower-case letters, digits and "-" (e.g. "eu-lea")';
/** An optional list of community or caveat names (`eu-lea`, `judicial-secret`). */
const SlugList = (field: string, max: number, doc: { example?: string[]; description?: string } = {}) =>
  applyDecorators(
    ApiPropertyOptional({ type: [String], ...doc }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(max),
    ArrayUnique(),
    Matches(COMMUNITY_PATTERN, { each: true, message: `${field}: ${SLUG_MESSAGE}` }),
  );

/** Channel kinds partners register (the public feed is the broker's own). */
export const SUPPORTED_CHANNEL_KINDS = ['feed', 'email', 'webhook'] as const;

export class ChannelDto {
  @ApiProperty({ enum: SUPPORTED_CHANNEL_KINDS, example: 'feed' })
  @IsIn(SUPPORTED_CHANNEL_KINDS, { message: `kind must be one of: ${SUPPORTED_CHANNEL_KINDS.join(', ')}` })
  kind!: (typeof SUPPORTED_CHANNEL_KINDS)[number];

  @ApiPropertyOptional({
    description: 'The channel relays to third parties (mailing list, ISAC re-distribution).',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  redistributes?: boolean;

  @ApiPropertyOptional({
    example: 'soc@cert.example',
    description: 'email: the team mailbox; webhook: the https URL deliveries are POSTed to',
  })
  @ValidateIf((channel: ChannelDto) => channel.kind === 'email' || channel.kind === 'webhook')
  @IsString({ message: 'address is required for e-mail and webhook channels' })
  @MaxLength(2_000)
  @SingleLine()
  address?: string;

  @HookSecret('webhook: the HMAC secret (16+ characters); generated and returned once when not given')
  secret?: string;

  @FeedKeyScopes()
  scopes?: PartnerScope[];
}

/** On-call channels: a duty contact's own e-mail, webhook or pull feed, or the organisation's paging hook. */
export const ON_CALL_KINDS = ['email', 'webhook', 'feed', 'pager'] as const;

export class OnCallChannelDto {
  @ApiProperty({ enum: ON_CALL_KINDS, example: 'email' })
  @IsIn(ON_CALL_KINDS, { message: `kind must be one of: ${ON_CALL_KINDS.join(', ')}` })
  kind!: (typeof ON_CALL_KINDS)[number];

  @ApiPropertyOptional({
    description: "The duty contact whose own channel this is, encrypted to that person's key (not for a pager)",
  })
  @ValidateIf((channel: OnCallChannelDto) => channel.kind !== 'pager' || channel.contactId !== undefined)
  @IsUUID('all', { message: 'contactId must name a contact of the organisation (required but for a pager)' })
  contactId?: string;

  @ApiPropertyOptional({
    example: 'https://pager.cert.example/hook',
    description: "email: the duty contact's address; webhook and pager: the https URL called",
  })
  @ValidateIf((channel: OnCallChannelDto) => channel.kind !== 'feed')
  @IsString({ message: 'address is required for e-mail, webhook and pager channels' })
  @MaxLength(2_000)
  @SingleLine()
  address?: string;

  @HookSecret('webhook and pager: the HMAC secret (16+ characters); generated and returned once when not given')
  secret?: string;

  @FeedKeyScopes()
  scopes?: PartnerScope[];
}

export class CreateOrganisationDto {
  @ApiProperty({ example: 'Europol EC3' })
  @IsString()
  @Length(1, 200)
  @SingleLine()
  name!: string;

  @ApiProperty({ enum: ORGANISATION_KINDS, example: 'lea' })
  @IsIn(ORGANISATION_KINDS, { message: `kind must be one of: ${ORGANISATION_KINDS.join(', ')}` })
  kind!: OrganisationKind;

  @ApiPropertyOptional({ example: 'NL', description: 'ISO 3166-1 alpha-2 country code' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as "FR"' })
  country?: string;

  @ApiProperty({ enum: RELATIONS, description: 'constituent: a client the team serves; peer: another team' })
  @IsIn(RELATIONS, { message: `relation must be one of: ${RELATIONS.join(', ')}` })
  relation!: Relation;

  @SlugList('communities', 100, { example: ['eu-lea'] })
  communities?: string[];

  @SlugList('accreditations', 50, { example: ['judicial-secret'], description: 'Handling caveats it may receive' })
  accreditations?: string[];

  @ApiProperty({ description: "ASCII-armored OpenPGP public key of the organisation's team" })
  @IsString()
  @MaxLength(200_000)
  publicKey!: string;

  @PinnedFingerprint()
  fingerprint?: string;

  @ApiProperty({ type: [ChannelDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'channels must list at least one channel' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ChannelDto)
  channels!: ChannelDto[];
}

export class CreateContactDto {
  @ApiProperty({ example: 'Jane Analyst' })
  @IsString()
  @Length(1, 200)
  @SingleLine()
  name!: string;

  @ApiProperty({ example: 'jane.analyst@europol.example' })
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(320)
  @SingleLine()
  email!: string;

  @ApiProperty({ description: 'ASCII-armored OpenPGP public key of this person' })
  @IsString()
  @MaxLength(200_000)
  publicKey!: string;

  @PinnedFingerprint()
  fingerprint?: string;

  /** What the API key of the person's personal feed opens. */
  @FeedKeyScopes()
  scopes?: PartnerScope[];
}

export class KeyUpdateDto {
  @ApiProperty({
    description: 'An updated copy of the registered key, a revocation certificate for it, or a new key replacing it',
  })
  @IsString()
  @MaxLength(200_000)
  publicKey!: string;

  @PinnedFingerprint()
  fingerprint?: string;
}

export class UpdateOrganisationDto {
  @ApiPropertyOptional({
    enum: PARTNER_STATUSES,
    description: 'suspended: receives nothing from now on, queued deliveries included',
  })
  @IsOptional()
  @IsIn(PARTNER_STATUSES, { message: `status must be one of: ${PARTNER_STATUSES.join(', ')}` })
  status?: PartnerStatus;

  @SlugList('communities', 100)
  communities?: string[];

  @SlugList('accreditations', 50)
  accreditations?: string[];
}

export class UpdateContactDto {
  @ApiProperty({ enum: PARTNER_STATUSES })
  @IsIn(PARTNER_STATUSES, { message: `status must be one of: ${PARTNER_STATUSES.join(', ')}` })
  status!: PartnerStatus;
}

/** A channel suspended receives nothing, queued deliveries included, and its credentials stop working. */
export class UpdateChannelDto {
  @ApiProperty({ enum: PARTNER_STATUSES })
  @IsIn(PARTNER_STATUSES, { message: `status must be one of: ${PARTNER_STATUSES.join(', ')}` })
  status!: PartnerStatus;
}
