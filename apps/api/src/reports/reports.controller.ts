import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RolesOrPartner } from '../auth/auth.decorators';
import { Principal } from '../auth/principal';
import { ApiView } from '../common/api-view';
import { ReportReceiptView, ReportStatusView } from './report-views';
import { ReportDto, ReportsQueryDto } from './reports.dto';
import { ReportsService } from './reports.service';

/**
 * The incident reporting forms, for partners' tools (a credential with the `submit` scope), for
 * reporters (a contact's portal account) and for team members entering a report taken by phone;
 * and the status of reports, each sender seeing its own only.
 */
@ApiTags('reports')
@ApiBearerAuth()
@ApiCookieAuth('tlpb_session')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /**
   * A report (`investigation-incident` or `support-request`), validated field by field: 201 with
   * its reference, acknowledged by e-mail to a sender with its own e-mail route and key.
   */
  @Post()
  @RolesOrPartner('submit', 'reporter', 'analyst')
  @ApiView('ReportReceiptView', { status: 201 })
  submit(@Body() dto: ReportDto, @CurrentPrincipal() principal: Principal): Promise<ReportReceiptView> {
    return this.reports.submit(dto, principal);
  }

  /** The sender's reports and where each stands, newest first (a partner: its organisation's; the team: all). */
  @Get()
  @RolesOrPartner('submit', 'reporter', 'analyst', 'approver', 'admin')
  @ApiView('ReportStatusView', { array: true })
  list(@Query() query: ReportsQueryDto, @CurrentPrincipal() principal: Principal): Promise<ReportStatusView[]> {
    return this.reports.list(principal, query.limit);
  }

  /** Where one report stands, by its reference; 404 for a reference that is not the sender's. */
  @Get(':reference')
  @RolesOrPartner('submit', 'reporter', 'analyst', 'approver', 'admin')
  @ApiView('ReportStatusView')
  get(@Param('reference') reference: string, @CurrentPrincipal() principal: Principal): Promise<ReportStatusView> {
    return this.reports.get(principal, reference);
  }
}
