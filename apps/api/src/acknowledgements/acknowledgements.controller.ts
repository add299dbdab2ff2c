import { Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Partner, Public, Roles } from '../auth/auth.decorators';
import { PartnerPrincipal } from '../auth/principal';
import { ApiDocument, ApiView } from '../common/api-view';
import { ACKNOWLEDGEMENT_PAGE_POLICY, confirmPage, donePage } from './acknowledgement-page';
import { AcknowledgementView, ItemAcknowledgementsView } from './acknowledgement-views';
import { AcknowledgementsService } from './acknowledgements.service';

/** A partner acknowledges an urgent item it pulled, naming the delivery. */
@ApiTags('feed')
@ApiBearerAuth()
@Controller('feed')
export class FeedAcknowledgementsController {
  constructor(private readonly acknowledgements: AcknowledgementsService) {}

  @Post(':deliveryId/ack')
  @HttpCode(200)
  @Partner('feed')
  @ApiView('AcknowledgementView')
  acknowledge(
    @Param('deliveryId', new ParseUUIDPipe()) deliveryId: string,
    @CurrentPrincipal() partner: PartnerPrincipal,
  ): Promise<AcknowledgementView> {
    return this.acknowledgements.byFeed(partner, deliveryId);
  }
}

/** The one-time link inside an urgent item's encrypted message: a page to confirm, then the acknowledgement. */
@ApiTags('acknowledgements')
@Controller('ack')
export class AcknowledgementLinksController {
  constructor(private readonly acknowledgements: AcknowledgementsService) {}

  @Get(':token')
  @Public()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @ApiDocument('text/html', 'a page asking the reader to confirm; nothing is recorded until it is submitted')
  async confirm(@Param('token') token: string, @Res({ passthrough: true }) response: Response): Promise<string> {
    const { request, tlp, type, itemId } = await this.acknowledgements.describeLink(token);
    const acknowledged =
      request.acknowledgedAt && request.acknowledgedBy
        ? { by: request.acknowledgedBy, at: request.acknowledgedAt }
        : null;
    asPage(response);
    return confirmPage(`${tlp} ${type} ${itemId}`, acknowledged);
  }

  @Post(':token')
  @HttpCode(200)
  @Public()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @ApiDocument('text/html', 'the acknowledgement recorded (or the one recorded before)')
  async acknowledge(@Param('token') token: string, @Res({ passthrough: true }) response: Response): Promise<string> {
    const done = await this.acknowledgements.byLink(token);
    const { tlp, type } = await this.acknowledgements.describeLink(token);
    asPage(response);
    return donePage(
      `${tlp} ${type} ${done.itemId}`,
      { by: done.acknowledgedBy, at: done.acknowledgedAt },
      done.already,
    );
  }
}

/** Set only on success: an error is answered as JSON, like every other error. */
function asPage(response: Response): void {
  response.type('html');
  response.setHeader('Content-Security-Policy', ACKNOWLEDGEMENT_PAGE_POLICY);
}

/** Who acknowledged an urgent item, and who is still awaited. */
@ApiTags('items')
@ApiBearerAuth()
@Controller('items')
export class ItemAcknowledgementsController {
  constructor(private readonly acknowledgements: AcknowledgementsService) {}

  @Get(':id/acknowledgements')
  @Roles('admin', 'analyst', 'approver')
  @ApiView('ItemAcknowledgementsView')
  list(@Param('id', new ParseUUIDPipe()) id: string): Promise<ItemAcknowledgementsView> {
    return this.acknowledgements.ofItem(id);
  }
}

/** Acknowledging (the feed API, the link) and following acknowledgements (the team). */
export const ACKNOWLEDGEMENT_CONTROLLERS = [
  FeedAcknowledgementsController,
  AcknowledgementLinksController,
  ItemAcknowledgementsController,
];
