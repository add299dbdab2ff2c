import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { ApiView } from '../common/api-view';
import { AvailabilityQueryDto, BusinessHoursDto, ClosureDto } from './hours.dto';
import { AvailabilityView, BusinessHoursView, ClosureView } from './hours-views';
import { HoursService } from './hours.service';

const uuid = () => new ParseUUIDPipe();

/** Partners' business hours, public holidays and closures: when they are at work, and when not. */
@ApiTags('hours')
@ApiBearerAuth()
@Controller('organisations/:id')
export class OrganisationHoursController {
  constructor(private readonly hours: HoursService) {}

  @Get('hours')
  @Roles('admin', 'analyst', 'approver')
  @ApiView('BusinessHoursView')
  get(@Param('id', uuid()) id: string): Promise<BusinessHoursView> {
    return this.hours.hours(id);
  }

  /** Registers the organisation's time zone, week and public-holiday calendar. */
  @Put('hours')
  @Roles('admin')
  @ApiView('BusinessHoursView')
  set(
    @Param('id', uuid()) id: string,
    @Body() dto: BusinessHoursDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<BusinessHoursView> {
    return this.hours.setHours(id, dto, actor);
  }

  /** Forgets the registered hours: the team's apply again, with the organisation's country's holidays. */
  @Delete('hours')
  @Roles('admin')
  @ApiView('BusinessHoursView')
  clear(@Param('id', uuid()) id: string, @CurrentPrincipal() actor: StaffPrincipal): Promise<BusinessHoursView> {
    return this.hours.setHours(id, null, actor);
  }

  /** Whether the organisation is in business hours at `at` (default now), and when it next is. */
  @Get('availability')
  @Roles('admin', 'analyst', 'approver')
  @ApiView('AvailabilityView')
  availability(@Param('id', uuid()) id: string, @Query() query: AvailabilityQueryDto): Promise<AvailabilityView> {
    return this.hours.availability(id, query.at);
  }

  @Post('closures')
  @Roles('admin')
  @ApiView('ClosureView', { status: 201 })
  addClosure(
    @Param('id', uuid()) id: string,
    @Body() dto: ClosureDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<ClosureView> {
    return this.hours.addClosure(id, dto, actor);
  }

  @Delete('closures/:closureId')
  @Roles('admin')
  @HttpCode(204)
  async removeClosure(
    @Param('id', uuid()) id: string,
    @Param('closureId', uuid()) closureId: string,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<void> {
    await this.hours.removeClosure(id, closureId, actor);
  }
}

/** The team's own hours (from its profile, TEAM_PROFILE_FILE) and the closures administrators add. */
@ApiTags('hours')
@ApiBearerAuth()
@Controller('team')
export class TeamHoursController {
  constructor(private readonly hours: HoursService) {}

  @Get('hours')
  @Roles('admin', 'analyst', 'approver')
  @ApiView('BusinessHoursView')
  get(): Promise<BusinessHoursView> {
    return this.hours.hours(null);
  }

  @Get('availability')
  @Roles('admin', 'analyst', 'approver')
  @ApiView('AvailabilityView')
  availability(@Query() query: AvailabilityQueryDto): Promise<AvailabilityView> {
    return this.hours.availability(null, query.at);
  }

  @Post('closures')
  @Roles('admin')
  @ApiView('ClosureView', { status: 201 })
  addClosure(@Body() dto: ClosureDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<ClosureView> {
    return this.hours.addClosure(null, dto, actor);
  }

  @Delete('closures/:closureId')
  @Roles('admin')
  @HttpCode(204)
  async removeClosure(
    @Param('closureId', uuid()) closureId: string,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<void> {
    await this.hours.removeClosure(null, closureId, actor);
  }
}

export const HOURS_CONTROLLERS = [OrganisationHoursController, TeamHoursController];
