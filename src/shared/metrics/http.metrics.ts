// Metrics of the HTTP server itself; observed by a Fastify hook in app.factory.ts.
import { Injectable } from '@nestjs/common';
import { MetricSet } from './metric-set';

@Injectable()
export class HttpMetrics extends MetricSet {
  readonly requestDuration = this.metrics.histogram<{ method: string; route: string; status: string }>({
    name: 'pipescope_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    unit: 'Milliseconds',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
}
