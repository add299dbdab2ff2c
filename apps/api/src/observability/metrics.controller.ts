import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Metrics } from '@tlp-broker/observability';
import { Public } from '../auth/auth.decorators';
import { ApiDocument } from '../common/api-view';
import { MetricsGuard } from './metrics.guard';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  /**
   * No API key is asked (@Public): MetricsGuard admits Prometheus by METRICS_TOKEN, or an
   * administrator's console session.
   */
  @Get()
  @Public()
  @UseGuards(MetricsGuard)
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiOperation({
    summary: "the API's Prometheus metrics: HTTP requests by route, queue depths and oldest waiting job, the process",
    description:
      "For Prometheus with `Authorization: Bearer <METRICS_TOKEN>`, or an administrator's console session (the only way when METRICS_TOKEN is not set).",
  })
  @ApiDocument('text/plain', 'Prometheus text exposition format (version 0.0.4)')
  @ApiUnauthorizedResponse({ description: 'neither the metrics token nor a console session' })
  @ApiForbiddenResponse({ description: 'a console session of someone who is not an administrator' })
  async scrape(@Res() response: Response): Promise<void> {
    const text = await this.metrics.render();
    response.type(this.metrics.contentType).send(text);
  }
}
