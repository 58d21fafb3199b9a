// The pattern for declaring metrics: one `<feature>.metrics.ts` per feature holds a MetricSet whose
// fields are its metrics, each declared once with `this.metrics.counter/histogram/gauge({...})`
// (the Prometheus series and, with `emf`, its CloudWatch EMF mirror). Provide it in the feature's module.
import { Injectable } from '@nestjs/common';
import { MetricsService } from './metrics.service';

@Injectable()
export abstract class MetricSet {
  constructor(protected readonly metrics: MetricsService) {}
}
