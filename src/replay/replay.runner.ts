// The in-process worker that sends replays. It takes a job with a lease in DynamoDB, reads its frozen
// manifest from S3, sends SendMessageBatch calls (10 messages each) one at a time under a token
// bucket, and checkpoints the index of the next manifest entry after every call. A job whose runner
// stopped (shutdown, crash) is resumed from that checkpoint by the next runner that finds it: at
// most the one batch in flight is sent twice, none is skipped. Jobs over REPLAY_MAX_RUNNING wait as
// `pending` until a slot frees.
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { TokenBucket } from 'limiter';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, Gauge, Histogram } from 'prom-client';
import { QueuePublisher, OutgoingMessage } from '../shared/queue/queue-publisher';
import { RawStore } from '../shared/raw/raw-store';
import { ReplayJob, ReplayJobStore } from './replay-job-store';
import { Env } from '../shared/config/env.config';
import { StorageUnavailableError } from '../shared/errors/app-error';
import { MetricsService } from '../shared/metrics/metrics.service';
import { ManifestEntry, ManifestHeader, parsePart } from './replay-manifest';
import { toOutgoing } from '../shared/contracts/replay-message';
import { detached } from '../shared/async/request-scope';

/** Attempts per SendMessageBatch (the first try included) before entries count as failed. */
export const SEND_ATTEMPTS = 5;
const BACKOFF_MS = 100;
const BACKOFF_MAX_MS = 5000;

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** SendMessageBatch takes 10 entries; a slower rate sends smaller batches so the bucket can hold one. */
export const batchSizeFor = (ratePerSecond: number): number => Math.max(1, Math.min(10, ratePerSecond));

interface Run {
  /** Set to stop after the current batch: 'shutdown' releases the job, 'cancelled' ends it. */
  stop?: 'shutdown' | 'cancelled';
  done: Promise<void>;
}

@Injectable()
export class ReplayRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReplayRunner.name);
  /** This instance, as the lease owner. */
  readonly owner = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly runs = new Map<string, Run>();
  private timer?: NodeJS.Timeout;
  private stopping = false;
  private ticking?: Promise<void>;
  private again = false;

  private readonly messages: Counter<'outcome'>;
  private readonly duration: Histogram<'status'>;
  private readonly rate: Gauge<'queue'>;
  private readonly running: Gauge;

  constructor(
    private readonly jobs: ReplayJobStore,
    private readonly raw: RawStore,
    private readonly queue: QueuePublisher,
    private readonly metrics: MetricsService,
    private readonly env: Env,
  ) {
    const registers = [metrics.registry];
    this.messages = new Counter({
      name: 'pipescope_replay_messages_total',
      help: 'Replay messages by outcome: sent (SQS accepted it) or failed (given up after retries)',
      labelNames: ['outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'pipescope_replay_duration_seconds',
      help: 'Wall time of finished replays, from first start to end, by final status',
      labelNames: ['status'],
      buckets: [1, 5, 15, 60, 300, 900, 3600, 14400],
      registers,
    });
    this.rate = new Gauge({
      name: 'pipescope_replay_rate_messages_per_second',
      help: 'Achieved send rate of the last finished replay, per queue',
      labelNames: ['queue'],
      registers,
    });
    this.running = new Gauge({
      name: 'pipescope_replays_running',
      help: 'Replays this instance is sending now',
      registers,
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), this.env.REPLAY_POLL_MS);
    this.timer.unref();
    this.wake();
  }

  /** Stops every run after its current batch and gives its job back, status unchanged, for resume. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    // A look for work in progress may still start a run (start() marks it stopped at once).
    await this.ticking;
    for (const run of this.runs.values()) run.stop ??= 'shutdown';
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }

  /** Looks for work now (a job was created or ended), besides the periodic look. */
  wake(): void {
    if (this.stopping) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    // Runs outside the HTTP request that may have woken it: replays outlive requests.
    this.ticking = detached(() => this.tick())
      .catch((err: unknown) => this.logger.warn({ op: 'replay.tick', err }, 'looking for replays failed'))
      .finally(() => {
        this.ticking = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** The job was cancelled through the API: stop before its next batch. */
  cancelled(replayId: string): void {
    const run = this.runs.get(replayId);
    if (run) run.stop = 'cancelled';
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
      if (this.stopping || busy >= this.env.REPLAY_MAX_RUNNING) return;
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
    const run: Run = { done: Promise.resolve(), ...(this.stopping ? { stop: 'shutdown' as const } : {}) };
    this.runs.set(job.replay_id, run);
    this.running.set(this.runs.size);
    run.done = this.send(job, run)
      .catch((err: unknown) => this.crashed(job, err))
      .finally(() => {
        this.runs.delete(job.replay_id);
        this.running.set(this.runs.size);
        this.wake();
      });
  }

  private async send(job: ReplayJob, run: Run): Promise<void> {
    const resumed = job.next_index > 0;
    this.logger.log(
      {
        op: resumed ? 'replay.resume' : 'replay.start',
        replay_id: job.replay_id,
        next_index: job.next_index,
        owner: this.owner,
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
    let { next_index: next, sent, failed } = job;
    let part: { index: number; entries: ManifestEntry[] } | undefined;
    while (next < header.matched) {
      if (run.stop) return this.stopped(job, run, { next, sent, failed });
      const partIndex = Math.floor(next / header.part_size);
      if (part?.index !== partIndex) {
        const body = await this.raw.get(header.parts[partIndex]);
        part = { index: partIndex, entries: parsePart(body.toString('utf8')) };
      }
      const offset = next - partIndex * header.part_size;
      const batch = part.entries.slice(offset, offset + size);
      await bucket.removeTokens(batch.length);
      if (run.stop) return this.stopped(job, run, { next, sent, failed });
      const outcome = await this.sendWithRetries(
        job.queue,
        batch.map((entry, i) => toOutgoing(job.replay_id, entry, String(i))),
      );
      next += batch.length;
      sent += outcome.sent;
      failed += outcome.failed;
      this.messages.inc({ outcome: 'sent' }, outcome.sent);
      if (outcome.failed > 0) this.messages.inc({ outcome: 'failed' }, outcome.failed);
      this.metrics.emfAdd({ queue: job.queue }, 'ReplayMessagesSent', 'Count', outcome.sent);
      if (outcome.failed > 0)
        this.metrics.emfAdd({ queue: job.queue }, 'ReplayMessagesFailed', 'Count', outcome.failed);
      const status = await this.jobs.checkpoint(
        job.replay_id,
        this.owner,
        { next_index: next, sent, failed },
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
        return this.stopped(job, run, { next, sent, failed });
      }
    }
    const finishedAt = new Date().toISOString();
    if (await this.jobs.finish(job.replay_id, this.owner, 'completed', finishedAt)) {
      this.ended(job, 'completed', { next, sent, failed }, finishedAt);
    } else {
      // Cancelled between the last checkpoint and now, or taken over: whoever changed it reports.
      const now = await this.jobs.get(job.replay_id);
      if (now?.status === 'cancelled')
        this.ended(job, 'cancelled', { next, sent, failed }, now.finished_at ?? finishedAt);
    }
  }

  /**
   * One SendMessageBatch with retries of the entries SQS reports as failed and retryable, backing
   * off exponentially. Entries still failing after SEND_ATTEMPTS count as failed. A call that fails
   * as a whole (SQS unavailable) is retried the same way and then thrown: the job pauses, not fails.
   */
  private async sendWithRetries(
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
          { op: 'replay.send_failed', queue, attempt, failures: result.failed },
          'SendMessageBatch entries failed',
        );
      }
      pending = pending.filter((m) => retry.has(m.id));
      if (pending.length > 0) await sleep(Math.min(BACKOFF_MAX_MS, BACKOFF_MS * 2 ** (attempt - 1)));
    }
    return { sent, failed };
  }

  private async stopped(
    job: ReplayJob,
    run: Run,
    at: { next: number; sent: number; failed: number },
  ): Promise<void> {
    if (run.stop === 'cancelled') {
      const now = await this.jobs.get(job.replay_id);
      this.ended(job, 'cancelled', at, now?.finished_at ?? new Date().toISOString());
      return;
    }
    await this.jobs.release(job.replay_id, this.owner);
    this.logger.log(
      { op: 'replay.paused', replay_id: job.replay_id, next_index: at.next, sent: at.sent },
      'replay stopped for shutdown; the next start resumes it',
    );
  }

  private async crashed(job: ReplayJob, err: unknown): Promise<void> {
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
      if (await this.jobs.finish(job.replay_id, this.owner, 'failed', finishedAt, message)) {
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

  private ended(
    job: ReplayJob,
    status: 'completed' | 'cancelled' | 'failed',
    at: { next: number; sent: number; failed: number },
    finishedAt: string,
  ): void {
    const started = Date.parse(job.started_at ?? job.created_at);
    const seconds = Math.max(0.001, (Date.parse(finishedAt) - started) / 1000);
    const rate = at.sent / seconds;
    this.duration.observe({ status }, seconds);
    this.rate.set({ queue: job.queue }, rate);
    this.metrics.emfAdd({ queue: job.queue }, 'ReplayDuration', 'Seconds', seconds);
    this.metrics.emfAdd({ queue: job.queue }, 'ReplayRate', 'None', rate);
    this.logger.log(
      {
        op: 'replay.audit',
        stage: status,
        replay_id: job.replay_id,
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
