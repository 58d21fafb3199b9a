import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/roles.decorator';
import { MetricsService } from './metrics.service';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus text exposition; open like the health probes so scrapers need no key. */
  @Get()
  @Public()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.prometheusText();
  }
}
