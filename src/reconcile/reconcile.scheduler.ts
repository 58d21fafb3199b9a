// Each serving instance looks for reconcile work every RECONCILE_POLL_MS (and when a job is created):
// a job whose runner died (lease run out) is resumed first, then the oldest pending one is started.
// One job runs at a time across instances, so reconciling never competes with itself for the table.
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Poller } from '../shared/async/poller';
import { Env } from '../shared/config/env.config';
import { LogContext } from '../shared/logging/log-context';
import { ReconcileJob, ReconcileJobStore } from './reconcile-job-store';
import { ReconcileRunner } from './reconcile.runner';

@Injectable()
export class ReconcileScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReconcileScheduler.name);
  private readonly poller: Poller;

  constructor(
    private readonly jobs: ReconcileJobStore,
    private readonly runner: ReconcileRunner,
    env: Env,
    context: LogContext,
  ) {
    // Woken inside POST /admin/reconcile: the look, and the job it starts, log on their own.
    this.poller = new Poller(
      env.RECONCILE_POLL_MS,
      () => context.detached({}, () => this.tick()),
      (err) => this.logger.warn({ op: 'reconcile.tick', err }, 'looking for reconcile jobs failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.poller.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** Looks for work now, besides the periodic look. */
  wake(): void {
    this.poller.wake();
  }

  private async tick(): Promise<void> {
    if (this.runner.busy) return;
    const active = await this.jobs.active();
    const now = Date.now();
    const heldElsewhere = (j: ReconcileJob): boolean =>
      j.status === 'running' && j.owner !== undefined && (j.lease_until ?? 0) >= now;
    if (active.some(heldElsewhere)) return;
    const next = active.find((j) => j.status === 'running') ?? active.find((j) => j.status === 'pending');
    if (next && !this.poller.isStopped) await this.runner.start(next.reconcile_id);
  }
}
