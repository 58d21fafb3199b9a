// Reconcile's metrics, registered on the app's Prometheus registry and mirrored to EMF. Counted once
// per finished job from its stored totals, so a page redone after a crash is never counted twice.
import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../shared/metrics/metrics.service';
import { FINDING_KINDS, ReconcileCounts } from './reconcile-job-store';

@Injectable()
export class ReconcileMetrics {
  readonly jobs: Counter<'status' | 'mode'>;
  readonly findings: Counter<'kind'>;
  readonly recovered: Counter;
  readonly scanned: Counter<'side'>;
  readonly lastFindings: Gauge<'kind'>;

  constructor(private readonly metrics: MetricsService) {
    const registers = [metrics.registry];
    this.jobs = new Counter({
      name: 'pipescope_reconcile_jobs_total',
      help: 'Reconcile jobs finished, by status and mode (dry_run or repair)',
      labelNames: ['status', 'mode'] as const,
      registers,
    });
    this.findings = new Counter({
      name: 'pipescope_reconcile_findings_total',
      help: 'Findings of finished reconcile jobs, by kind',
      labelNames: ['kind'] as const,
      registers,
    });
    this.recovered = new Counter({
      name: 'pipescope_reconcile_recovered_total',
      help: 'Unindexed raw events that reconcile repairs indexed',
      registers,
    });
    this.scanned = new Counter({
      name: 'pipescope_reconcile_scanned_total',
      help: 'What finished reconcile jobs read: raw events (side=raw) and index items (side=index)',
      labelNames: ['side'] as const,
      registers,
    });
    this.lastFindings = new Gauge({
      name: 'pipescope_reconcile_last_findings',
      help: 'Findings of the last reconcile job this instance finished, by kind (for alarms)',
      labelNames: ['kind'] as const,
      registers,
    });
  }

  finished(status: 'completed' | 'failed', repair: boolean, counts: ReconcileCounts): void {
    this.jobs.inc({ status, mode: repair ? 'repair' : 'dry_run' });
    for (const kind of FINDING_KINDS) {
      this.findings.inc({ kind }, counts[kind]);
      this.lastFindings.set({ kind }, counts[kind]);
      this.metrics.emfAdd({ kind }, 'ReconcileFindings', 'Count', counts[kind]);
    }
    this.recovered.inc(counts.recovered);
    this.scanned.inc({ side: 'raw' }, counts.members);
    this.scanned.inc({ side: 'index' }, counts.index_items);
    this.metrics.emfAdd({ operation: 'reconcile' }, 'ReconcileRecovered', 'Count', counts.recovered);
  }
}
