import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators';
import { StaffPrincipal } from '../auth/principal';
import { ApiView } from '../common/api-view';
import { CreateItemDto, ExplainQueryDto, ItemAuditQueryDto, ItemsQueryDto, RejectDto, RetractDto } from './items.dto';
import { ItemLifecycleService } from './item-lifecycle.service';
import {
  AuditEventView,
  DecisionsView,
  ExplainView,
  ItemSummaryView,
  ItemVersionView,
  ItemView,
  PreviewView,
  RetractionView,
} from './item-view';
import { ItemRecordsService } from './item-records.service';
import { ItemViewsService } from './item-views.service';

@ApiTags('items')
@ApiBearerAuth()
@Controller('items')
export class ItemsController {
  constructor(
    private readonly lifecycle: ItemLifecycleService,
    private readonly views: ItemViewsService,
    private readonly records: ItemRecordsService,
  ) {}

  /**
   * Items, most recently changed first (the newest current version first), described by their
   * current version; `?state=pending-approval` is the approvals queue, each with the version last
   * released to compare the pending one with.
   */
  @Get()
  @Roles('analyst', 'approver', 'admin')
  @ApiView('ItemSummaryView', { array: true })
  list(@Query() query: ItemsQueryDto): Promise<ItemSummaryView[]> {
    return this.records.list(query);
  }

  /** Publishes an item: it is routed to every partner the TLP rules allow, in the background. */
  @Post()
  @Roles('analyst')
  @ApiView('ItemView', { status: 201 })
  publish(@Body() dto: CreateItemDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<ItemView> {
    return this.lifecycle.publish(dto, actor);
  }

  /**
   * A new version of a published item (the whole item, as for publishing; its type stays). It goes
   * to whoever the rules allow for it; anyone sent an earlier version who may not have this one
   * gets a recall notice. Needs approval under the same rules as publishing.
   */
  @Put(':id')
  @Roles('analyst')
  @ApiView('ItemView')
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: CreateItemDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<ItemView> {
    return this.lifecycle.update(id, dto, actor);
  }

  /**
   * Withdraws the item: nothing more of it is sent, it leaves every partner feed, and every earlier
   * recipient gets a recall notice (with `notice`, when given).
   */
  @Post(':id/retract')
  @HttpCode(200)
  @Roles('analyst', 'approver')
  @ApiView('RetractionView')
  retract(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: RetractDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<RetractionView> {
    return this.lifecycle.retract(id, dto.reason, dto.notice ?? null, actor);
  }

  /**
   * Publishes a draft (one drafted from a submission in triage, or sent back by an approver) as it
   * stands: at once, after approval under the same rules as publishing, or at its embargo time.
   */
  @Post(':id/publish')
  @HttpCode(200)
  @Roles('analyst')
  @ApiView('ItemView')
  publishDraft(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<ItemView> {
    return this.lifecycle.publishDraft(id, actor);
  }

  /** Who would receive this draft and why, for every partner and channel; nothing is published or stored. */
  @Post('preview')
  @HttpCode(200)
  @Roles('analyst', 'approver')
  @ApiView('PreviewView')
  preview(@Body() dto: CreateItemDto, @CurrentPrincipal() actor: StaffPrincipal): Promise<PreviewView> {
    return this.views.preview(dto, actor);
  }

  /** Four eyes: an approver other than the author releases a pending item. */
  @Post(':id/approve')
  @HttpCode(200)
  @Roles('approver')
  @ApiView('ItemView')
  approve(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() actor: StaffPrincipal): Promise<ItemView> {
    return this.lifecycle.approve(id, actor);
  }

  /** Sends a pending item back to draft, with the reason; nothing leaves. */
  @Post(':id/reject')
  @HttpCode(200)
  @Roles('approver')
  @ApiView('ItemView')
  reject(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: RejectDto,
    @CurrentPrincipal() actor: StaffPrincipal,
  ): Promise<ItemView> {
    return this.lifecycle.reject(id, dto.reason, actor);
  }

  /** Every version of the item in full, newest first, and whether each was released to partners. */
  @Get(':id/versions')
  @Roles('analyst', 'approver', 'admin')
  @ApiView('ItemVersionView', { array: true })
  versions(@Param('id', new ParseUUIDPipe()) id: string): Promise<ItemVersionView[]> {
    return this.records.versions(id);
  }

  /**
   * The item's audit trail, oldest first: its publication, approvals, updates, routing and
   * retraction, and the outcome of each delivery and recall notice of it.
   */
  @Get(':id/audit')
  @Roles('analyst', 'approver', 'admin')
  @ApiView('AuditEventView', { array: true })
  audit(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: ItemAuditQueryDto): Promise<AuditEventView[]> {
    return this.records.audit(id, query);
  }

  @Get(':id')
  @Roles('analyst', 'approver', 'admin')
  @ApiView('ItemView')
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ItemView> {
    return this.views.get(id);
  }

  /** Who may receive the item and why, partner by partner and channel by channel, with delivery states. */
  @Get(':id/decisions')
  @Roles('analyst', 'approver', 'admin')
  @ApiView('DecisionsView')
  decisions(@Param('id', new ParseUUIDPipe()) id: string): Promise<DecisionsView> {
    return this.views.decisions(id);
  }

  /** For one partner: what was decided for each of its channels when the item was routed, and what would be decided now. */
  @Get(':id/explain')
  @Roles('analyst', 'approver', 'admin')
  @ApiView('ExplainView')
  explain(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: ExplainQueryDto): Promise<ExplainView> {
    return this.views.explain(id, query.organisation);
  }
}
