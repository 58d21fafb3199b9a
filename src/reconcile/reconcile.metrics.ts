// Reconcile's metrics (docs/metrics.md): jobs finished, their findings by kind, recovered events and
// what they read. Counted once per finished job from its stored totals, so a page redone after a crash
// is never counted twice.
import { Injectable } from '@nestjs/common';
import { MetricSet } from '../shared/metrics/metric-set';
import { FINDING_KINDS, FindingKind, ReconcileCounts } from './reconcile-job-store';

@Injectable()
export class ReconcileMetrics extends MetricSet {
  readonly jobs = this.metrics.counter<{ status: 'completed' | 'failed'; mode: 'dry_run' | 'repair' }>({
    name: 'pipescope_reconcile_jobs_total',
    help: 'Reconcile jobs finished, by status and mode (dry_run or repair)',
    labelNames: ['status', 'mode'],
  });
  readonly findings = this.metrics.counter<{ kind: FindingKind }>({
    name: 'pipescope_reconcile_findings_total',
    help: 'Findings of finished reconcile jobs, by kind',
    labelNames: ['kind'],
    emf: { metric: 'ReconcileFindings', dimensions: ['kind'] },
  });
  readonly lastFindings = this.metrics.gauge<{ kind: FindingKind }>({
    name: 'pipescope_reconcile_last_findings',
    help: 'Findings of the last reconcile job this instance finished, by kind (for alarms)',
    labelNames: ['kind'],
    unit: 'Count',
  });
  /** EMF carries it under `mode=repair` (only repairs recover), as every EMF metric has a dimension. */
  readonly recovered = this.metrics.counter<{ mode: 'repair' }>({
    name: 'pipescope_reconcile_recovered_total',
    help: 'Unindexed raw events that reconcile repairs indexed',
    emf: { metric: 'ReconcileRecovered', dimensions: ['mode'] },
  });
  readonly scanned = this.metrics.counter<{ side: 'raw' | 'index' }>({
    name: 'pipescope_reconcile_scanned_total',
    help: 'What finished reconcile jobs read: raw events (side=raw) and index items (side=index)',
    labelNames: ['side'],
  });

  finished(status: 'completed' | 'failed', repair: boolean, counts: ReconcileCounts): void {
    this.jobs.inc({ status, mode: repair ? 'repair' : 'dry_run' });
    for (const kind of FINDING_KINDS) {
      this.findings.inc({ kind }, counts[kind]);
      this.lastFindings.set({ kind }, counts[kind]);
    }
    if (repair) this.recovered.inc({ mode: 'repair' }, counts.recovered);
    this.scanned.inc({ side: 'raw' }, counts.members);
    this.scanned.inc({ side: 'index' }, counts.index_items);
  }
}
