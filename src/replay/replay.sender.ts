// Sends one claimed replay job: reads its frozen manifest from S3, sends SendMessageBatch calls (10
// messages each) one at a time under a token bucket, and checkpoints the index of the next manifest
// entry after every call, renewing the lease. It ends the job (completed, cancelled, failed) or, on
// shutdown or storage trouble, leaves it for a later runner to resume from the checkpoint: at most
// the one batch in flight is sent twice, none is skipped. Which jobs run is replay.runner.ts's call.
import { Injectable, Logger } from '@nestjs/common';
import { TokenBucket } from 'limiter';
import { QueuePublisher, OutgoingMessage } from '../shared/queue/queue-publisher';
import { RawStore } from '../shared/raw/raw-store';
import { ReplayJob, ReplayJobStore } from './replay-job-store';
import { Env } from '../shared/config/env.config';
import { StorageUnavailableError } from '../shared/errors/app-error';
import { ManifestEntry, ManifestHeader, parsePart } from './replay-manifest';
import { toOutgoing } from '../shared/contracts/replay-message';
import { ReplayEnd, ReplayMetrics } from './replay.metrics';
import { LogContext } from '../shared/logging/log-context';

/** Attempts per SendMessageBatch (the first try included) before entries count as failed. */
export const SEND_ATTEMPTS = 5;
const BACKOFF_MS = 100;
const BACKOFF_MAX_MS = 5000;

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** SendMessageBatch takes 10 entries; a slower rate sends smaller batches so the bucket can hold one. */
export const batchSizeFor = (ratePerSecond: number): number => Math.max(1, Math.min(10, ratePerSecond));

/** One job being sent by this instance. */
export interface Run {
  readonly job: ReplayJob;
  /** The lease owner: this instance. */
  readonly owner: string;
  /** Set to stop after the current batch: 'shutdown' releases the job, 'cancelled' ends it. */
  stop?: 'shutdown' | 'cancelled';
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
    private readonly raw: RawStore,
    private readonly queue: QueuePublisher,
    private readonly metrics: ReplayMetrics,
    private readonly env: Env,
    private readonly context: LogContext,
  ) {}

  /**
   * Sends the run's job until it ends, stops or pauses; never throws. Its lines name its replay_id and
   * never the request that started it (a fresh logging context).
   */
  run(run: Run): Promise<void> {
    return this.context.detached({}, () => this.send(run).catch((err: unknown) => this.crashed(run, err)));
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
    const header = JSON.parse((await this.raw.get(job.manifest_key)).toString('utf8')) as ManifestHeader;
    const size = batchSizeFor(job.rate_per_second);
    // The bucket holds one batch, or a tenth of a second's worth at high rates, so bursts stay short.
    const bucket = new TokenBucket({
      bucketSize: Math.max(size, Math.ceil(job.rate_per_second / 10)),
      tokensPerInterval: job.rate_per_second,
      interval: 'second',
    });
    const at: Progress = { next: job.next_index, sent: job.sent, failed: job.failed };
    let part: { index: number; entries: ManifestEntry[] } | undefined;
    while (at.next < header.matched) {
      if (run.stop) return this.stopped(run, at);
      const partIndex = Math.floor(at.next / header.part_size);
      if (part?.index !== partIndex) {
        const body = await this.raw.get(header.parts[partIndex]);
        part = { index: partIndex, entries: parsePart(body.toString('utf8')) };
      }
      const offset = at.next - partIndex * header.part_size;
      const batch = part.entries.slice(offset, offset + size);
      await bucket.removeTokens(batch.length);
      if (run.stop) return this.stopped(run, at);
      const outcome = await this.sendWithRetries(
        job.replay_id,
        job.queue,
        // A resend's messages carry the original's id: their processing counts on that job.
        batch.map((entry, i) => toOutgoing(job.resend_of ?? job.replay_id, entry, String(i))),
      );
      at.next += batch.length;
      at.sent += outcome.sent;
      at.failed += outcome.failed;
      this.metrics.batchSent(job.queue, outcome.sent, outcome.failed);
      const status = await this.jobs.checkpoint(
        job.replay_id,
        owner,
        { next_index: at.next, sent: at.sent, failed: at.failed },
        Date.now() + this.env.REPLAY_LEASE_MS,
      );
      if (status === 'lost') {
        this.logger.warn(
          { op: 'replay.lease_lost', replay_id: job.replay_id },
          'another runner holds this replay; stopping',
        );
        return;
      }
      if (status === 'cancelled') {
        run.stop = 'cancelled';
        return this.stopped(run, at);
      }
    }
    const finishedAt = new Date().toISOString();
    if (await this.jobs.finish(job.replay_id, owner, 'completed', finishedAt)) {
      this.ended(job, 'completed', at, finishedAt);
    } else {
      // Cancelled between the last checkpoint and now, or taken over: whoever changed it reports.
      const now = await this.jobs.get(job.replay_id);
      if (now?.status === 'cancelled') this.ended(job, 'cancelled', at, now.finished_at ?? finishedAt);
    }
  }

  /**
   * One SendMessageBatch with retries of the entries SQS reports as failed and retryable, backing
   * off exponentially. Entries still failing after SEND_ATTEMPTS count as failed. A call that fails
   * as a whole (SQS unavailable) is retried the same way and then thrown: the job pauses, not fails.
   */
  private async sendWithRetries(
    replayId: string,
    queue: string,
    messages: OutgoingMessage[],
  ): Promise<{ sent: number; failed: number }> {
    let pending = messages;
    let sent = 0;
    let failed = 0;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let result;
      try {
        result = await this.queue.sendBatch(queue, pending);
      } catch (err) {
        if (!(err instanceof StorageUnavailableError) || attempt >= SEND_ATTEMPTS) throw err;
        await sleep(Math.min(BACKOFF_MAX_MS, BACKOFF_MS * 2 ** (attempt - 1)));
        continue;
      }
      sent += result.sent.length;
      const retry = new Set(result.failed.filter((f) => f.retryable).map((f) => f.id));
      failed += result.failed.length - retry.size;
      if (retry.size > 0 && attempt >= SEND_ATTEMPTS) {
        failed += retry.size;
        break;
      }
      if (result.failed.length > 0) {
        this.logger.warn(
          { op: 'replay.send_failed', replay_id: replayId, queue, attempt, failures: result.failed },
          'SendMessageBatch entries failed',
        );
      }
      pending = pending.filter((m) => retry.has(m.id));
      if (pending.length > 0) await sleep(Math.min(BACKOFF_MAX_MS, BACKOFF_MS * 2 ** (attempt - 1)));
    }
    return { sent, failed };
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
      if (await this.jobs.finish(job.replay_id, owner, 'failed', finishedAt, message)) {
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
