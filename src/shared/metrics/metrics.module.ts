// Owns GET /metrics and the MetricsService every feature's MetricSet declares its metrics through.
import { Global, Module } from '@nestjs/common';
import { HttpMetrics } from './http.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  providers: [MetricsService, HttpMetrics],
  controllers: [MetricsController],
  exports: [MetricsService, HttpMetrics],
})
export class MetricsModule {}
