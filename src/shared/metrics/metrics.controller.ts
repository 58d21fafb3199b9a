import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { MetricsService } from './metrics.service';

@Controller('metrics')
@ApiTags('operations')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus text exposition; open like the health probes so scrapers need no key. */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format 0.0.4); see docs/metrics.md' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The metrics', schema: { type: 'string' } })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.prometheusText();
  }
}
