// Runs reconcile jobs under a lease, page by page, checkpointing after every page: the findings and
// counts of the page, the cursor past it and a longer lease in one conditional write. A job whose
// runner stopped (shutdown, crash) is resumed from its checkpoint by the next runner that takes it,
// like a replay; a page redone that way finds and writes the same things again.
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { IngestService } from '../ingest/ingest.service';
import { RAW_ROOT, sourceOfPartition } from '../ingest/raw-keys';
import { Env } from '../shared/config/env.config';
import { StorageUnavailableError } from '../shared/errors/app-error';
import { EventIndex } from '../shared/events/event-index';
import { IngestStatsStore } from '../shared/ingest-stats/ingest-stats-store';
import { RawStore } from '../shared/raw/raw-store';
import { instanceOwner } from '../shared/lease/lease';
import { Retention } from '../shared/retention/retention';
import { addCounts, ReconcileCursor, ReconcileJob, ReconcileJobStore } from './reconcile-job-store';
import { indexSources, mergeSources, rawFolders, startOf, wholeHours } from './reconcile-plan';
import { JobContext, PageResult, ReconcileScanner } from './reconcile-scanner';
import { ReconcileMetrics } from './reconcile.metrics';

/** A cursor position past the last page of a folder or source. */
const DONE = '~done';

interface Run {
  stop: boolean;
  done: Promise<void>;
}

type Ended = 'completed' | 'stopped' | 'lost';

@Injectable()
export class ReconcileRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ReconcileRunner.name);
  /** This instance, as the lease owner. */
  readonly owner = instanceOwner();
  private readonly runs = new Map<string, Run>();
  private readonly scanner: ReconcileScanner;
  private stopping = false;

  constructor(
    private readonly jobs: ReconcileJobStore,
    private readonly raw: RawStore,
    private readonly stats: IngestStatsStore,
    private readonly metrics: ReconcileMetrics,
    private readonly env: Env,
    index: EventIndex,
    ingest: IngestService,
    retention: Retention,
  ) {
    this.scanner = new ReconcileScanner(raw, index, ingest, retention);
  }

  /** Whether this instance is running a job now. */
  get busy(): boolean {
    return this.runs.size > 0;
  }

  /** Takes the job and runs it in the background; false when another runner holds it. */
  async start(reconcileId: string): Promise<boolean> {
    const run = await this.take(reconcileId);
    return run !== undefined;
  }

  /** Takes the job and runs it to its end here (the CLI); the job as it ended, or undefined if not taken. */
  async runToEnd(reconcileId: string): Promise<ReconcileJob | undefined> {
    const run = await this.take(reconcileId);
    if (!run) return undefined;
    await run.done;
    return this.jobs.get(reconcileId);
  }

  /** Stops every run after its current page and gives its job back for the next runner. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const run of this.runs.values()) run.stop = true;
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }

  private async take(reconcileId: string): Promise<Run | undefined> {
    if (this.stopping || this.runs.has(reconcileId)) return undefined;
    const now = Date.now();
    const job = await this.jobs.claim(reconcileId, this.owner, now, now + this.env.RECONCILE_LEASE_MS);
    if (!job) return undefined;
    const run: Run = { stop: false, done: Promise.resolve() };
    this.runs.set(reconcileId, run);
    run.done = this.execute(job, run)
      .then((ended) => this.ended(job, ended))
      .catch((err: unknown) => this.crashed(job, err))
      .finally(() => this.runs.delete(reconcileId));
    return run;
  }

  private async execute(job: ReconcileJob, run: Run): Promise<Ended> {
    this.logger.log(
      {
        op: job.cursor ? 'reconcile.resume' : 'reconcile.start',
        reconcile_id: job.reconcile_id,
        cursor: job.cursor,
      },
      job.cursor ? 'reconcile resumed from its checkpoint' : 'reconcile started',
    );
    const { hours } = wholeHours(job.from, job.to);
    let cursor = startOf(hours, job.cursor);
    const rawSources = (await this.raw.partitions(RAW_ROOT)).flatMap((p) => sourceOfPartition(p) ?? []);
    const state = { counts: { ...job.counts }, hoursDone: job.hours_done };
    const ctx = (): JobContext => ({
      reconcileId: job.reconcile_id,
      repair: job.repair,
      prefix: job.prefix,
      now: Date.now(),
      settleMs: this.env.RECONCILE_SETTLE_MS,
    });
    const pages = async (
      at: string,
      next: (after?: string) => Promise<PageResult>,
      position: (after: string) => ReconcileCursor,
    ): Promise<Ended | undefined> => {
      let after = at === cursor.at ? cursor.after : undefined;
      while (after !== DONE) {
        if (run.stop) return 'stopped';
        const page = await next(after);
        after = page.next ?? DONE;
        await this.jobs.putFindings(job.reconcile_id, page.findings);
        addCounts(state.counts, page.counts);
        if (!(await this.save(job, position(after), state))) return 'lost';
      }
      return undefined;
    };

    // A job that checkpointed its last hour only has to be marked finished.
    for (
      let h = state.hoursDone >= hours.length ? hours.length : hours.indexOf(cursor.hour);
      h < hours.length;
      h++
    ) {
      const hour = hours[h];
      const counted = (await this.stats.counters([hour])).map((row) => row.source);
      const sources = mergeSources(rawSources, counted);
      if (cursor.phase === 'raw') {
        for (const f of rawFolders(hour, sources, job.prefix, cursor.at)) {
          const ended = await pages(
            f.folder,
            (after) => this.scanner.rawPage(ctx(), f.listPrefix, after),
            (after) => ({ hour, phase: 'raw', at: f.folder, after }),
          );
          if (ended) return ended;
        }
        cursor = { hour, phase: 'index' };
      }
      for (const source of indexSources(sources, job.prefix, cursor.at)) {
        const ended = await pages(
          source,
          (after) => this.scanner.indexPage(ctx(), source, hour, after),
          (after) => ({ hour, phase: 'index', at: source, after }),
        );
        if (ended) return ended;
      }
      state.hoursDone = h + 1;
      cursor = { hour: hours[h + 1] ?? hour, phase: 'raw' };
      if (!(await this.save(job, cursor, state))) return 'lost';
    }
    const finished = await this.jobs.finish(job.reconcile_id, this.owner, {
      status: 'completed',
      finished_at: new Date().toISOString(),
      counts: state.counts,
    });
    return finished ? 'completed' : 'lost';
  }

  private save(
    job: ReconcileJob,
    cursor: ReconcileCursor,
    state: { counts: ReconcileJob['counts']; hoursDone: number },
  ): Promise<boolean> {
    return this.jobs.checkpoint(
      job.reconcile_id,
      this.owner,
      { cursor, hours_done: state.hoursDone, counts: state.counts },
      Date.now() + this.env.RECONCILE_LEASE_MS,
    );
  }

  private async ended(job: ReconcileJob, ended: Ended): Promise<void> {
    const id = job.reconcile_id;
    if (ended === 'stopped') {
      await this.jobs.release(id, this.owner);
      this.logger.log({ op: 'reconcile.paused', reconcile_id: id }, 'reconcile stopped for shutdown');
      return;
    }
    if (ended === 'lost') {
      this.logger.warn({ op: 'reconcile.lease_lost', reconcile_id: id }, 'another runner holds this job');
      return;
    }
    const now = await this.jobs.get(id);
    if (!now) return;
    this.metrics.finished('completed', now.repair, now.counts);
    this.logger.log(
      {
        op: 'reconcile.audit',
        stage: 'completed',
        reconcile_id: id,
        requested_by: now.requested_by,
        repair: now.repair,
        from: now.from,
        to: now.to,
        prefix: now.prefix,
        counts: now.counts,
      },
      'reconcile completed',
    );
  }

  private async crashed(job: ReconcileJob, err: unknown): Promise<void> {
    const id = job.reconcile_id;
    if (err instanceof StorageUnavailableError) {
      // Storage trouble pauses the job: its lease runs out and a later look resumes it.
      this.logger.warn(
        { op: 'reconcile.paused', reconcile_id: id, err },
        'reconcile paused: storage unavailable',
      );
      return;
    }
    this.logger.error({ op: 'reconcile.failed', reconcile_id: id, err }, 'reconcile failed');
    try {
      const now = await this.jobs.get(id);
      const counts = now?.counts ?? job.counts;
      const message = err instanceof Error ? err.message : String(err);
      const end = {
        status: 'failed' as const,
        finished_at: new Date().toISOString(),
        counts,
        error: message,
      };
      if (await this.jobs.finish(id, this.owner, end)) this.metrics.finished('failed', job.repair, counts);
    } catch (finishErr) {
      this.logger.warn(
        { op: 'reconcile.failed', reconcile_id: id, err: finishErr },
        'could not record the failure',
      );
    }
  }
}
