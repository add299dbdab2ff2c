import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { PARTNER_FEED_KINDS, PARTNER_STATUSES, PartnerFeedKind, PartnerStatus } from '@tlp-broker/domain';
import { SingleLine } from '../common/validators';

export const MIN_INTERVAL_SECONDS = 10;
export const MAX_INTERVAL_SECONDS = 86_400;

/** `<scheme> <credentials>` in printable ASCII on one line: what an HTTP Authorization header may carry. */
const AUTHORIZATION = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]* +[\x21-\x7e][\x20-\x7e]*$/;

/** Documented as required on creation and optional on update, validated alike. */
const documented = (optional: boolean, options: ApiPropertyOptions) =>
  optional ? applyDecorators(ApiPropertyOptional(options), IsOptional()) : ApiProperty(options);

const Name = (optional = false) =>
  applyDecorators(
    documented(optional, { example: 'EC3 deliveries (TAXII)' }),
    IsString(),
    Length(1, 200, { message: 'name must be 1 to 200 characters' }),
    SingleLine(),
  );

const Url = (optional = false) =>
  applyDecorators(
    documented(optional, {
      example: 'https://broker.partner.example/taxii2/api/collections/6a4f…/',
      description:
        "taxii: the collection's URL (…/collections/<id>/); misp: the feed's base URL, where manifest.json is. " +
        'https unless the host is in WEBHOOK_ALLOW_LIST; no credentials in it; no private, loopback or link-local address',
    }),
    IsString(),
    MaxLength(2_000),
    SingleLine(),
  );

const Authorization = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: String,
      example: 'Bearer tlpb_…',
      description:
        'Sent as the Authorization header of every request to the feed; never shown back (hasAuthorization). ' +
        'null removes it',
      nullable: true,
    }),
    IsOptional(),
    IsString(),
    MaxLength(4_096),
    Matches(AUTHORIZATION, {
      message: 'authorization must be "<scheme> <credentials>" (e.g. "Bearer …") in printable ASCII on one line',
    }),
  );

const Interval = (optional = false) =>
  applyDecorators(
    documented(optional, { minimum: MIN_INTERVAL_SECONDS, maximum: MAX_INTERVAL_SECONDS, example: 300 }),
    IsInt({ message: 'intervalSeconds must be a whole number of seconds' }),
    Min(MIN_INTERVAL_SECONDS, { message: `intervalSeconds must be at least ${MIN_INTERVAL_SECONDS}` }),
    Max(MAX_INTERVAL_SECONDS, { message: `intervalSeconds must be at most ${MAX_INTERVAL_SECONDS} (a day)` }),
  );

export class CreatePartnerFeedDto {
  @ApiProperty({ description: 'The partner organisation whose feed it is: what comes in is a submission from it' })
  @IsUUID('all', { message: 'organisationId must be the id of a registered organisation' })
  organisationId!: string;

  @ApiProperty({ enum: PARTNER_FEED_KINDS })
  @IsIn(PARTNER_FEED_KINDS, { message: `kind must be one of: ${PARTNER_FEED_KINDS.join(', ')}` })
  kind!: PartnerFeedKind;

  @Name()
  name!: string;

  @Url()
  url!: string;

  @Authorization()
  authorization?: string | null;

  @Interval()
  intervalSeconds!: number;
}

export class UpdatePartnerFeedDto {
  @Name(true)
  name?: string;

  @Url(true)
  url?: string;

  @Authorization()
  authorization?: string | null;

  @Interval(true)
  intervalSeconds?: number;

  @ApiPropertyOptional({ enum: PARTNER_STATUSES, description: 'suspended: not polled until reinstated' })
  @IsOptional()
  @IsIn(PARTNER_STATUSES, { message: `status must be one of: ${PARTNER_STATUSES.join(', ')}` })
  status?: PartnerStatus;
}
