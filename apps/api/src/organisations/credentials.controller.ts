import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsDefined, IsIn } from 'class-validator';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { ApiView } from '../common/api-view';
import { StaffPrincipal } from '../auth/principal';
import { CredentialsService, CredentialView, IssuedCredentialView } from './credentials.service';
import { PARTNER_SCOPES, PartnerScope } from '@tlp-broker/domain';

export class CreateCredentialDto {
  // Required: a key made without saying what it is for must not open everything (give each tool only the scope it needs).
  @ApiProperty({
    enum: PARTNER_SCOPES,
    isArray: true,
    example: ['taxii'],
    description: 'What the key opens (required): one or more of the scopes',
  })
  @IsDefined({ message: `scopes is required: a list of one or more of ${PARTNER_SCOPES.join(', ')}` })
  @IsArray({ message: `scopes must be a list of one or more of ${PARTNER_SCOPES.join(', ')}` })
  @ArrayMinSize(1, { message: 'scopes must list at least one scope' })
  @ArrayUnique()
  @IsIn(PARTNER_SCOPES, { each: true, message: `each scope must be one of: ${PARTNER_SCOPES.join(', ')}` })
  scopes!: PartnerScope[];
}

/** A partner channel's pull credentials (API keys), for administrators. */
@ApiTags('organisations')
@ApiBearerAuth()
@Controller('organisations/:id/channels/:channelId/credentials')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Get()
  @Roles('admin')
  @ApiView('CredentialView', { array: true })
  list(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('channelId', new ParseUUIDPipe()) channelId: string,
  ): Promise<CredentialView[]> {
    return this.credentials.list(id, channelId);
  }

  /** A new key for the channel (returned once), with the given scopes: `feed`, `taxii`, `misp`, `submit`. */
  @Post()
  @Roles('admin')
  @ApiView('IssuedCredentialView', { status: 201 })
  create(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('channelId', new ParseUUIDPipe()) channelId: string,
    @Body() dto: CreateCredentialDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<IssuedCredentialView> {
    return this.credentials.create(id, channelId, dto.scopes, actor);
  }

  /** Replaces a key by a new one with the same scopes; the old key stops working at once. */
  @Post(':credentialId/rotate')
  @HttpCode(200)
  @Roles('admin')
  @ApiView('IssuedCredentialView')
  rotate(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('channelId', new ParseUUIDPipe()) channelId: string,
    @Param('credentialId', new ParseUUIDPipe()) credentialId: string,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<IssuedCredentialView> {
    return this.credentials.rotate(id, channelId, credentialId, actor);
  }

  @Delete(':credentialId')
  @Roles('admin')
  @ApiView('CredentialView')
  revoke(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('channelId', new ParseUUIDPipe()) channelId: string,
    @Param('credentialId', new ParseUUIDPipe()) credentialId: string,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<CredentialView> {
    return this.credentials.revoke(id, channelId, credentialId, actor);
  }
}
