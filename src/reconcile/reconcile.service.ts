// Reconcile jobs: start one over a window (dry run or repair), report its progress, list jobs and
// findings. The work itself is the runner's (reconcile.runner.ts), started by the scheduler or the CLI.
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Env } from '../shared/config/env.config';
import { AppError, validationError } from '../shared/errors/app-error';
import type { Page } from '../shared/paging/page';
import {
  emptyCounts,
  Finding,
  FindingKind,
  PROBLEM_KINDS,
  ReconcileCounts,
  ReconcileCursor,
  ReconcileJob,
  ReconcileJobStore,
  ReconcileStatus,
} from './reconcile-job-store';
import { wholeHours } from './reconcile-plan';

export interface ReconcileRequest {
  repair?: boolean;
  from?: string;
  to?: string;
  prefix?: string;
  reason?: string;
}

export interface ReconcileView {
  reconcile_id: string;
  status: ReconcileStatus;
  repair: boolean;
  from: string;
  to: string;
  prefix: string | null;
  reason: string | null;
  requested_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  hours_total: number;
  hours_done: number;
  /** hours_done / hours_total, 4 decimals. */
  progress: number;
  /** Where a pending or running job is (or paused): hour, side, folder or source; null once it ended. */
  position: ReconcileCursor | null;
  counts: ReconcileCounts;
  /** Findings that need attention: unindexed (not recovered), missing_raw, corrupt_raw, unreadable. */
  problems: number;
  error: string | null;
}

const RECONCILE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DEFAULT_WINDOW_MS = 24 * 3_600_000;

export function toView(job: ReconcileJob): ReconcileView {
  const c = job.counts;
  const problems = PROBLEM_KINDS.reduce((n, kind) => n + c[kind], 0) - c.recovered;
  const progress = job.hours_total === 0 ? 1 : Math.min(1, job.hours_done / job.hours_total);
  return {
    reconcile_id: job.reconcile_id,
    status: job.status,
    repair: job.repair,
    from: job.from,
    to: job.to,
    prefix: job.prefix ?? null,
    reason: job.reason ?? null,
    requested_by: job.requested_by,
    created_at: job.created_at,
    started_at: job.started_at ?? null,
    finished_at: job.finished_at ?? null,
    hours_total: job.hours_total,
    hours_done: job.hours_done,
    progress: Math.round(progress * 10000) / 10000,
    position: job.status === 'pending' || job.status === 'running' ? (job.cursor ?? null) : null,
    counts: c,
    problems,
    error: job.error ?? null,
  };
}

@Injectable()
export class ReconcileService {
  private readonly logger = new Logger(ReconcileService.name);

  constructor(
    private readonly jobs: ReconcileJobStore,
    private readonly env: Env,
  ) {}

  /** Records a pending job over the request's window; the scheduler (or the CLI) runs it. */
  async create(request: ReconcileRequest, requestedBy: string): Promise<ReconcileView> {
    const to = request.to ? Date.parse(request.to) : Date.now();
    const from = request.from ? Date.parse(request.from) : to - DEFAULT_WINDOW_MS;
    if (from > to) {
      throw validationError('RECONCILE.VALIDATION_FAILED', [
        { field: 'to', message: 'to must not be before from' },
      ]);
    }
    const days = (to - from) / 86_400_000;
    if (days > this.env.RECONCILE_MAX_WINDOW_DAYS) {
      throw new AppError(
        'RECONCILE.WINDOW_TOO_WIDE',
        `the window spans ${days.toFixed(1)} days; at most ${this.env.RECONCILE_MAX_WINDOW_DAYS} (RECONCILE_MAX_WINDOW_DAYS)`,
        [{ field: 'to', message: `window at most ${this.env.RECONCILE_MAX_WINDOW_DAYS} days` }],
      );
    }
    const window = wholeHours(new Date(from).toISOString(), new Date(to).toISOString());
    const job: ReconcileJob = {
      reconcile_id: randomUUID(),
      status: 'pending',
      repair: request.repair ?? false,
      from: window.from,
      to: window.to,
      ...(request.prefix ? { prefix: request.prefix } : {}),
      ...(request.reason ? { reason: request.reason.trim() } : {}),
      requested_by: requestedBy,
      created_at: new Date().toISOString(),
      hours_total: window.hours.length,
      hours_done: 0,
      counts: emptyCounts(),
    };
    await this.jobs.create(job);
    this.logger.log(
      {
        op: 'reconcile.audit',
        stage: 'created',
        reconcile_id: job.reconcile_id,
        requested_by: requestedBy,
        repair: job.repair,
        from: job.from,
        to: job.to,
        prefix: job.prefix,
        reason: job.reason,
      },
      'reconcile created',
    );
    return toView(job);
  }

  async get(reconcileId: string): Promise<ReconcileView> {
    return toView(await this.job(reconcileId));
  }

  async list(limit: number, cursor?: string): Promise<Page<ReconcileView>> {
    const page = await this.jobs.list({ limit, cursor });
    return { items: page.items.map(toView), next_cursor: page.next_cursor };
  }

  async findings(
    reconcileId: string,
    kind: FindingKind | undefined,
    limit: number,
    cursor?: string,
  ): Promise<Page<Finding>> {
    await this.job(reconcileId);
    return this.jobs.findings(reconcileId, kind, { limit, cursor });
  }

  private async job(reconcileId: string): Promise<ReconcileJob> {
    const job = RECONCILE_ID.test(reconcileId) ? await this.jobs.get(reconcileId) : undefined;
    if (!job) throw new AppError('RECONCILE.NOT_FOUND', `reconcile job ${reconcileId} not found`);
    return job;
  }
}
