// Rate limiting's metrics (docs/metrics.md): requests and events refused with 429, by key and limit.
import { Injectable } from '@nestjs/common';
import { MetricSet } from '../metrics/metric-set';

export type RateLimitKind = 'requests' | 'events';

@Injectable()
export class RateLimitMetrics extends MetricSet {
  /** Key ids come from API_KEYS and SOURCE_SIGNING_SECRETS only, so the label set is bounded by config. */
  readonly limited = this.metrics.counter<{ key_id: string; limit: RateLimitKind }>({
    name: 'pipescope_rate_limited_total',
    help: 'Requests answered 429 because a key went over its requests or events per second',
    labelNames: ['key_id', 'limit'],
    emf: { metric: 'RateLimited', dimensions: ['key_id', 'limit'] },
  });
}
