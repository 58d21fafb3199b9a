import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { PublicUnless, Roles } from '../auth/roles.decorator';
import { MetricsService } from './metrics.service';

@Controller('metrics')
@ApiTags('operations')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /**
   * Prometheus text exposition; open like the health probes, unless METRICS_REQUIRE_KEY: then a key
   * of role metrics (a scraper's), investigator or operator.
   */
  @Get()
  @PublicUnless('METRICS_REQUIRE_KEY')
  @Roles('investigator', 'metrics')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format 0.0.4); see docs/metrics.md' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The metrics', schema: { type: 'string' } })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.prometheusText();
  }
}
