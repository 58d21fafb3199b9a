// Sends one claimed replay job: reads its frozen manifest from S3 and hands it to the send pipeline
// (replay-pipeline.ts: SendMessageBatch calls in flight under a token bucket, checkpoints beside
// them), then ends the job (completed, cancelled, failed) or, on shutdown or storage trouble, leaves
// it for a later runner to resume from its checkpoint: at most REPLAY_CHECKPOINT_BATCHES batches are
// sent twice, none is skipped. Which jobs run is replay.runner.ts's call.
import { Injectable, Logger } from '@nestjs/common';
import { QueuePublisher } from '../shared/queue/queue-publisher';
import { ManifestStore } from './manifest-store';
import { ReplayJob, ReplayJobStore } from './replay-job-store';
import { Env } from '../shared/config/env.config';
import { StorageUnavailableError } from '../shared/errors/app-error';
import { ManifestHeader, ManifestReader } from './replay-manifest';
import { ReplayEnd, ReplayMetrics } from './replay.metrics';
import { LogContext } from '../shared/logging/log-context';
import { ReplayFormats } from './replay-formats';
import { SendPipeline, StopReason } from './replay-pipeline';

/** One job being sent by this instance. */
export interface Run {
  readonly job: ReplayJob;
  /** The lease owner: this instance. */
  readonly owner: string;
  /**
   * Set to stop before the next batch: 'shutdown' checkpoints and releases the job, 'cancelled' ends
   * it, 'abandon' stops as a crash would (no checkpoint, the lease left to run out).
   */
  stop?: StopReason;
}

interface Progress {
  next: number;
  sent: number;
  failed: number;
}

@Injectable()
export class ReplaySender {
  private readonly logger = new Logger(ReplaySender.name);

  constructor(
    private readonly jobs: ReplayJobStore,
    private readonly manifests: ManifestStore,
    private readonly queue: QueuePublisher,
    private readonly formats: ReplayFormats,
    private readonly metrics: ReplayMetrics,
    private readonly env: Env,
    private readonly context: LogContext,
  ) {}

  /**
   * Sends the run's job until it ends, stops or pauses; never throws. Its lines name its replay_id and
   * never the request that started it (a fresh logging context).
   */
  run(run: Run): Promise<void> {
    return this.context.detached({}, () =>
      this.send(run)
        .catch((err: unknown) => this.crashed(run, err))
        // What this instance kept of the manifest and did not send: a resumed run reads S3.
        .finally(() => this.manifests.forget(run.job.replay_id)),
    );
  }

  private async send(run: Run): Promise<void> {
    const { job, owner } = run;
    const resumed = job.next_index > 0;
    this.logger.log(
      {
        op: resumed ? 'replay.resume' : 'replay.start',
        replay_id: job.replay_id,
        next_index: job.next_index,
        owner,
      },
      resumed ? 'replay resumed from its checkpoint' : 'replay started',
    );
    const header = JSON.parse(
      (await this.manifests.read(job.manifest_key)).toString('utf8'),
    ) as ManifestHeader;
    const format = header.format ?? 'pointer';
    if (!this.formats.has(format))
      throw new Error(`replay format ${format} is not registered on this instance`);
    const pipeline = new SendPipeline(
      job,
      {
        jobs: this.jobs,
        queue: this.queue,
        formats: this.formats,
        metrics: this.metrics,
        reader: new ManifestReader(header, (key) => this.manifests.read(key)),
        logger: this.logger,
      },
      {
        owner,
        format,
        matched: header.matched,
        concurrency: this.env.REPLAY_SEND_CONCURRENCY,
        interval: this.env.REPLAY_CHECKPOINT_BATCHES,
        everyMs: this.env.REPLAY_CHECKPOINT_MS,
        leaseMs: this.env.REPLAY_LEASE_MS,
        stop: () => run.stop,
      },
    );
    const { end, at } = await pipeline.run();
    switch (end) {
      case 'lost':
        this.logger.warn(
          { op: 'replay.lease_lost', replay_id: job.replay_id },
          'another runner holds this replay; stopping',
        );
        return;
      case 'abandon':
        this.logger.warn(
          { op: 'replay.abandoned', replay_id: job.replay_id, next_index: at.next },
          'replay abandoned without a checkpoint, as a crash would',
        );
        return;
      case 'cancelled':
        run.stop = 'cancelled';
        return this.stopped(run, at);
      case 'shutdown':
        return this.stopped(run, at);
      case 'done':
        break;
    }
    const finishedAt = new Date().toISOString();
    const checkpoint = { next_index: at.next, sent: at.sent, failed: at.failed };
    if (await this.jobs.finish(job.replay_id, owner, 'completed', finishedAt, { checkpoint })) {
      this.ended(job, 'completed', at, finishedAt);
      return;
    }
    // Cancelled since the last checkpoint (its counts are still recorded), or taken over: then the
    // new runner reports.
    const status = await this.jobs.checkpoint(job.replay_id, owner, checkpoint, Date.now());
    if (status === 'cancelled') {
      const now = await this.jobs.get(job.replay_id);
      this.ended(job, 'cancelled', at, now?.finished_at ?? finishedAt);
    }
  }

  private async stopped(run: Run, at: Progress): Promise<void> {
    const { job } = run;
    if (run.stop === 'cancelled') {
      const now = await this.jobs.get(job.replay_id);
      this.ended(job, 'cancelled', at, now?.finished_at ?? new Date().toISOString());
      return;
    }
    await this.jobs.release(job.replay_id, run.owner);
    this.logger.log(
      { op: 'replay.paused', replay_id: job.replay_id, next_index: at.next, sent: at.sent },
      'replay stopped for shutdown; the next start resumes it',
    );
  }

  private async crashed({ job, owner }: Run, err: unknown): Promise<void> {
    if (err instanceof StorageUnavailableError) {
      // Storage trouble pauses the job: the lease runs out and a later look resumes it.
      this.logger.warn(
        { op: 'replay.paused', replay_id: job.replay_id, err },
        'replay paused: storage unavailable',
      );
      return;
    }
    this.logger.error({ op: 'replay.failed', replay_id: job.replay_id, err }, 'replay failed');
    const finishedAt = new Date().toISOString();
    const message = err instanceof Error ? err.message : String(err);
    try {
      if (await this.jobs.finish(job.replay_id, owner, 'failed', finishedAt, { error: message })) {
        const now = await this.jobs.get(job.replay_id);
        this.ended(
          job,
          'failed',
          { next: now?.next_index ?? 0, sent: now?.sent ?? 0, failed: now?.failed ?? 0 },
          finishedAt,
        );
      }
    } catch (finishErr) {
      this.logger.warn(
        { op: 'replay.failed', replay_id: job.replay_id, err: finishErr },
        'could not record the failure',
      );
    }
  }

  private ended(job: ReplayJob, status: ReplayEnd, at: Progress, finishedAt: string): void {
    const started = Date.parse(job.started_at ?? job.created_at);
    const seconds = Math.max(0.001, (Date.parse(finishedAt) - started) / 1000);
    const rate = at.sent / seconds;
    this.metrics.ended(job.queue, status, seconds, rate);
    this.logger.log(
      {
        op: 'replay.audit',
        stage: status,
        replay_id: job.replay_id,
        ...(job.resend_of ? { resend_of: job.resend_of } : {}),
        requested_by: job.requested_by,
        reason: job.reason,
        filter: job.filter,
        queue: job.queue,
        matched: job.matched,
        sent: at.sent,
        failed: at.failed,
        duration_ms: Math.round(seconds * 1000),
        rate_per_second_achieved: Math.round(rate * 100) / 100,
      },
      `replay ${status}`,
    );
  }
}
