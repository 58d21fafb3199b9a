// The in-process scheduler of replays. It looks for work every REPLAY_POLL_MS and when woken, takes
// a job with a lease in DynamoDB and hands it to the sender (replay.sender.ts). A running job whose
// runner stopped (shutdown, crash) is resumed by the next runner that finds its lease expired. Jobs
// over REPLAY_MAX_RUNNING wait as `pending` until a slot frees.
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Poller } from '../shared/async/poller';
import { ReplayJob, ReplayJobStore } from './replay-job-store';
import { Env } from '../shared/config/env.config';
import { ReplayMetrics } from './replay.metrics';
import { ReplaySender, Run } from './replay.sender';
import { LogContext } from '../shared/logging/log-context';
import { instanceOwner } from '../shared/lease/lease';

@Injectable()
export class ReplayRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReplayRunner.name);
  /** This instance, as the lease owner. */
  readonly owner = instanceOwner();
  private readonly runs = new Map<string, { run: Run; done: Promise<void> }>();
  private readonly poller: Poller;

  constructor(
    private readonly jobs: ReplayJobStore,
    private readonly sender: ReplaySender,
    private readonly metrics: ReplayMetrics,
    private readonly env: Env,
    private readonly context: LogContext,
  ) {
    // Often woken inside a request (POST /replay): the look, and the runs it starts, log on their own.
    this.poller = new Poller(
      env.REPLAY_POLL_MS,
      () => this.context.detached({}, () => this.tick()),
      (err) => this.logger.warn({ op: 'replay.tick', err }, 'looking for replays failed'),
    );
  }

  onApplicationBootstrap(): void {
    this.poller.start();
  }

  /** Stops every run after its current batch and gives its job back, status unchanged, for resume. */
  async beforeApplicationShutdown(): Promise<void> {
    // A look for work in progress may still start a run (start() marks it stopped at once).
    await this.poller.stop();
    for (const { run } of this.runs.values()) run.stop ??= 'shutdown';
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }

  /** Looks for work now (a job was created or ended), besides the periodic look. */
  wake(): void {
    this.poller.wake();
  }

  /**
   * Stops the job's run here as a crash would: no more batches, no checkpoint, the lease left to run
   * out (this instance takes the job again at a later look). The seam the resume-bound test uses.
   */
  abandon(replayId: string): boolean {
    const current = this.runs.get(replayId);
    if (current) current.run.stop = 'abandon';
    return current !== undefined;
  }

  /** The job was cancelled through the API: stop before its next batch. */
  cancelled(replayId: string): void {
    const current = this.runs.get(replayId);
    if (current) current.run.stop = 'cancelled';
  }

  /** Resumes orphaned running jobs first, then starts pending ones while slots are free. */
  private async tick(): Promise<void> {
    const active = await this.jobs.active();
    const now = Date.now();
    const heldElsewhere = (j: ReplayJob): boolean =>
      j.owner !== undefined && j.owner !== this.owner && (j.lease_until ?? 0) >= now;
    let busy = active.filter(
      (j) => this.runs.has(j.replay_id) || (j.status === 'running' && heldElsewhere(j)),
    ).length;
    const candidates = [
      ...active.filter((j) => j.status === 'running'),
      ...active.filter((j) => j.status === 'pending'),
    ].filter((j) => !this.runs.has(j.replay_id) && !heldElsewhere(j));
    for (const job of candidates) {
      if (this.poller.isStopped || busy >= this.env.REPLAY_MAX_RUNNING) return;
      const claimed = await this.jobs.claim(
        job.replay_id,
        this.owner,
        Date.now(),
        Date.now() + this.env.REPLAY_LEASE_MS,
      );
      if (!claimed) continue;
      busy += 1;
      this.start(claimed);
    }
  }

  private start(job: ReplayJob): void {
    const run: Run = {
      job,
      owner: this.owner,
      ...(this.poller.isStopped ? { stop: 'shutdown' as const } : {}),
    };
    const done = this.sender.run(run).finally(() => {
      this.runs.delete(job.replay_id);
      this.metrics.running.set(this.runs.size);
      this.wake();
    });
    this.runs.set(job.replay_id, { run, done });
    this.metrics.running.set(this.runs.size);
  }
}
