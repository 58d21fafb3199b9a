// Metrics of the storage boundary: every SDK call by dependency, operation and how it ended. Observed
// by the clients themselves (aws-clients.ts), so no store can forget to count.
import { Injectable } from '@nestjs/common';
import { MetricSet } from '../metrics/metric-set';
import type { StorageCallOutcome, StorageDependency } from './aws-clients';

@Injectable()
export class StorageMetrics extends MetricSet {
  readonly calls = this.metrics.counter<{
    dependency: StorageDependency;
    operation: string;
    outcome: StorageCallOutcome;
  }>({
    name: 'pipescope_storage_calls_total',
    help: 'Storage calls by dependency, operation and outcome (ok, refused, unavailable, timeout, cancelled)',
    labelNames: ['dependency', 'operation', 'outcome'],
  });
}
