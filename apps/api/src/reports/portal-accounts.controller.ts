import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { ApiView } from '../common/api-view';
import { PortalAccountsService, PortalAccountView } from './portal-accounts.service';
import { PortalAccountDto } from './reports.dto';

/** Reporters' portal accounts, one per contact, managed by administrators. */
@ApiTags('organisations')
@ApiBearerAuth()
@ApiCookieAuth('tlpb_session')
@Controller('organisations/:id/contacts/:contactId/portal-account')
export class PortalAccountsController {
  constructor(private readonly accounts: PortalAccountsService) {}

  /**
   * Gives the contact a portal account (the role `reporter`): it signs in with this password,
   * enrols an authenticator at its first sign-in, and then reaches the reporting forms and the
   * status of its own reports only. Audited.
   */
  @Post()
  @Roles('admin')
  @ApiView('PortalAccountView', { status: 201 })
  create(
    @Param('id', new ParseUUIDPipe()) organisationId: string,
    @Param('contactId', new ParseUUIDPipe()) contactId: string,
    @Body() dto: PortalAccountDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<PortalAccountView> {
    return this.accounts.create(organisationId, contactId, dto, actor.userId);
  }

  @Get()
  @Roles('admin')
  @ApiView('PortalAccountView')
  get(
    @Param('id', new ParseUUIDPipe()) organisationId: string,
    @Param('contactId', new ParseUUIDPipe()) contactId: string,
  ): Promise<PortalAccountView> {
    return this.accounts.get(organisationId, contactId);
  }
}
