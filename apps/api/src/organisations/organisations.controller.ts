import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { ApiView } from '../common/api-view';
import { StaffPrincipal } from '../auth/principal';
import {
  CreateContactDto,
  CreateOrganisationDto,
  KeyUpdateDto,
  OnCallChannelDto,
  UpdateChannelDto,
  UpdateContactDto,
  UpdateOrganisationDto,
} from './organisations.dto';
import { ChannelView, ContactView, KeyUpdateView, OrganisationView } from './organisation-views';
import { OnCallService } from './on-call.service';
import { OrganisationRegistrationService } from './organisation-registration.service';
import { ContactsService } from './contacts.service';
import { OrganisationUpdatesService } from './organisation-updates.service';
import { OrganisationViewsService } from './organisation-views.service';
import { RecipientKeysService } from './recipient-keys.service';

@ApiTags('organisations')
@ApiBearerAuth()
@Controller('organisations')
export class OrganisationsController {
  constructor(
    private readonly registration: OrganisationRegistrationService,
    private readonly contacts: ContactsService,
    private readonly updates: OrganisationUpdatesService,
    private readonly views: OrganisationViewsService,
    private readonly keys: RecipientKeysService,
    private readonly onCall: OnCallService,
  ) {}

  /** Registers a partner organisation with its OpenPGP key and channels; each pull channel's API key is returned once. */
  @Post()
  @Roles('admin')
  @ApiView('OrganisationView', { status: 201 })
  register(@Body() dto: CreateOrganisationDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<OrganisationView> {
    return this.registration.register(dto, actor);
  }

  @Get()
  @Roles('admin', 'analyst', 'approver')
  @ApiView('OrganisationView', { array: true })
  list(): Promise<OrganisationView[]> {
    return this.views.list();
  }

  @Get(':id')
  @Roles('admin', 'analyst', 'approver')
  @ApiView('OrganisationView')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<OrganisationView> {
    return this.views.get(id);
  }

  /** Registers a named person with a personal key and a personal pull channel (the only way TLP:RED leaves). */
  @Post(':id/contacts')
  @Roles('admin')
  @ApiView('ContactView', { status: 201 })
  addContact(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: CreateContactDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<ContactView> {
    return this.contacts.addContact(id, dto, actor);
  }

  /**
   * Registers an on-call channel: a duty contact's own e-mail, webhook or pull feed, or the
   * organisation's paging hook (content-free). Urgent items reach them outside its business hours.
   */
  @Post(':id/on-call')
  @Roles('admin')
  @ApiView('ChannelView', { status: 201 })
  addOnCall(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: OnCallChannelDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<ChannelView> {
    return this.onCall.addChannel(id, dto, actor);
  }

  /** Suspends or reinstates a partner, or changes its communities or accreditations. */
  @Patch(':id')
  @Roles('admin')
  @ApiView('OrganisationView')
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateOrganisationDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<OrganisationView> {
    return this.updates.update(id, dto, actor);
  }

  /** Suspends or reinstates a contact. */
  @Patch(':id/contacts/:contactId')
  @Roles('admin')
  @ApiView('OrganisationView')
  updateContact(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('contactId', new ParseUUIDPipe()) contactId: string,
    @Body() dto: UpdateContactDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<OrganisationView> {
    return this.updates.updateContact(id, contactId, dto, actor);
  }

  /** Suspends or reinstates one channel (a team channel or a contact's personal one): a suspended channel receives nothing, queued deliveries included. */
  @Patch(':id/channels/:channelId')
  @Roles('admin')
  @ApiView('OrganisationView')
  updateChannel(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('channelId', new ParseUUIDPipe()) channelId: string,
    @Body() dto: UpdateChannelDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<OrganisationView> {
    return this.updates.updateChannel(id, channelId, dto, actor);
  }

  /**
   * The organisation's key (its team channels): an updated copy is merged (new expiry, new
   * subkeys), a revocation certificate revokes it at once, a different key replaces it.
   */
  @Put(':id/key')
  @Roles('admin')
  @ApiView('KeyUpdateView')
  updateKey(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: KeyUpdateDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<KeyUpdateView> {
    return this.keys.updateKey(id, null, dto, actor);
  }

  /** A contact's personal key, likewise. */
  @Put(':id/contacts/:contactId/key')
  @Roles('admin')
  @ApiView('KeyUpdateView')
  updateContactKey(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('contactId', new ParseUUIDPipe()) contactId: string,
    @Body() dto: KeyUpdateDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<KeyUpdateView> {
    return this.keys.updateKey(id, contactId, dto, actor);
  }
}
