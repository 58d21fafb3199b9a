// The send loop of one replay run: REPLAY_SEND_CONCURRENCY SendMessageBatch calls in flight under
// the job's token bucket, and checkpoints written beside them (send-window.ts says when), so sending
// never waits for DynamoDB. The runner is never more than REPLAY_CHECKPOINT_BATCHES batches past its
// stored checkpoint: a crash sends at most that many again and skips nothing.
import { Logger } from '@nestjs/common';
import { TokenBucket } from 'limiter';
import { SQS_MESSAGE_MAX_BYTES } from '../shared/contracts/replay-message';
import { StorageUnavailableError } from '../shared/errors/app-error';
import { OutgoingMessage, QueuePublisher } from '../shared/queue/queue-publisher';
import { ReplayJob, ReplayJobStore } from './replay-job-store';
import { ManifestEntry, ManifestReader } from './replay-manifest';
import { FormattedMessage, isPromiseLike, ReplayFormats } from './replay-formats';
import { Acknowledged, checkpointDue, CheckpointPolicy, SendWindow, windowOpen } from './send-window';
import { ReplayMetrics } from './replay.metrics';

/** Attempts per SendMessageBatch (the first try included) before entries count as failed. */
export const SEND_ATTEMPTS = 5;
const BACKOFF_MS = 100;
const BACKOFF_MAX_MS = 5000;

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
const backoff = (attempt: number): number => Math.min(BACKOFF_MAX_MS, BACKOFF_MS * 2 ** (attempt - 1));

/** SendMessageBatch takes 10 entries; a slower rate sends smaller batches so the bucket can hold one. */
export const batchSizeFor = (ratePerSecond: number): number => Math.max(1, Math.min(10, ratePerSecond));

/**
 * Entries read and formatted at once, in calls of 10, while the format answers synchronously
 * (pointer): formatting 100 messages in one go between calls, rather than 10 before each, made the
 * send loop about 3 to 5% faster on a CPU-bound client (docs/benchmarks.md). A format that reads
 * (full) drops back to one call's worth at a time, so at most 10 raw reads are in flight.
 */
export const PREPARE_BLOCK = 100;

/**
 * The SendMessageBatch entry id of manifest entry `index`: its last digit. A call covers at most 10
 * consecutive entries, so its ids are distinct, as SQS requires within a call, and they are drawn
 * from the same ten short strings for every call, as a bare sender's `0` to `9` are. The manifest
 * index itself as the id (`12345`) made every call's id-keyed maps sparse arrays (the SDK's body
 * checksum check, the publisher's message ids): the send loop ran 1.047 ± 0.016 times faster with
 * these (docs/benchmarks.md).
 */
export const entryId = (index: number): string => String(index % 10);

/** The manifest index of entry id `id` in a call whose first entry is `first` (logs name entries by index). */
export const entryIndex = (first: number, id: string): number =>
  first + ((Number(id) - (first % 10) + 10) % 10);

/** Why a run stops before its end: clean shutdown, a cancel, or (tests) as a crash would. */
export type StopReason = 'shutdown' | 'cancelled' | 'abandon';

/** How a run's sending ended, and what it acknowledged ('done': not yet stored, for the finish). */
export interface PipelineEnd {
  end: 'done' | StopReason | 'lost';
  at: Acknowledged;
}

export interface PipelineParts {
  jobs: ReplayJobStore;
  queue: QueuePublisher;
  formats: ReplayFormats;
  metrics: ReplayMetrics;
  reader: ManifestReader;
  logger: Logger;
}

export interface PipelineSettings extends CheckpointPolicy {
  owner: string;
  format: string;
  matched: number;
  concurrency: number;
  leaseMs: number;
  /** Read before each batch: set when the run must stop. */
  stop: () => StopReason | undefined;
}

interface Batch {
  first: number;
  /** Manifest entries it covers, oversize ones included. */
  count: number;
  messages: FormattedMessage[];
  /** Entries whose message does not fit in SQS: failed without a call. */
  oversize: number;
}

export class SendPipeline {
  private readonly window: SendWindow;
  private readonly bucket: TokenBucket;
  private readonly size: number;
  /** Entries the next prepare reads: PREPARE_BLOCK until the format answers with a promise. */
  private block: number;
  private readonly inFlight = new Set<Promise<void>>();
  /** The last checkpoint written (stored) and the one being written. */
  private stored: Acknowledged;
  private last: Acknowledged;
  private lastAt = Date.now();
  private writing?: Promise<void>;
  private lost = false;
  private cancelled = false;
  private error?: Error;
  private wake?: () => void;

  constructor(
    private readonly job: ReplayJob,
    private readonly parts: PipelineParts,
    private readonly settings: PipelineSettings,
  ) {
    this.window = new SendWindow({ next: job.next_index, sent: job.sent, failed: job.failed });
    this.stored = this.window.acknowledged;
    this.last = this.stored;
    this.size = batchSizeFor(job.rate_per_second);
    this.block = this.size === 10 ? PREPARE_BLOCK : this.size;
    // The bucket holds one batch, or a tenth of a second's worth at high rates, so bursts stay short.
    this.bucket = new TokenBucket({
      bucketSize: Math.max(this.size, Math.ceil(job.rate_per_second / 10)),
      tokensPerInterval: job.rate_per_second,
      interval: 'second',
    });
  }

  /** Sends until the end, a stop, a lost lease or a cancel; throws the first send or storage error. */
  async run(): Promise<PipelineEnd> {
    while (this.window.next < this.settings.matched && !this.halted()) {
      let batches: Batch[];
      try {
        batches = await this.prepare(this.window.next);
      } catch (err) {
        // A block that cannot be read, parsed or formatted ends the run as a failed call does: the
        // calls in flight finish and what they acknowledged is checkpointed below, then it is thrown.
        this.error ??= asError(err);
        break;
      }
      for (const batch of batches) {
        // Taken at once when the bucket holds them (a replay far under its rate, most batches);
        // waited for otherwise. This loop is the bucket's only taker, so none is passed over.
        if (!this.bucket.tryRemoveTokens(batch.count)) await this.bucket.removeTokens(batch.count);
        await this.room();
        if (this.halted()) break;
        this.launch(batch);
      }
    }
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    await this.writing;
    const stop = this.settings.stop();
    const finished = this.window.next >= this.settings.matched && !this.halted();
    // A finished run's last checkpoint is written with its end (the sender's finish).
    if (!this.lost && stop !== 'abandon' && !finished) {
      // Whatever is acknowledged is kept, after an error too: a resume sends less again.
      const acked = this.window.acknowledged;
      if (acked.next > this.stored.next) {
        await this.checkpoint(acked).catch((err: unknown) => {
          this.error ??= asError(err);
        });
      }
    }
    if (this.error !== undefined) throw this.error;
    const at = this.window.acknowledged;
    if (this.lost) return { end: 'lost', at };
    if (this.cancelled) return { end: 'cancelled', at };
    return { end: stop ?? 'done', at };
  }

  private halted(): boolean {
    return this.settings.stop() !== undefined || this.lost || this.cancelled || this.error !== undefined;
  }

  /** Waits until another call may start: a free slot, and room in the checkpoint window. */
  private async room(): Promise<void> {
    while (
      !this.halted() &&
      (this.inFlight.size >= this.settings.concurrency ||
        !windowOpen(this.window, this.stored, this.settings))
    ) {
      await new Promise<void>((done) => (this.wake = done));
    }
  }

  private changed(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * The next block of entries from `first` (never past its manifest part), formatted, in calls of
   * at most `size` entries and 256 KiB.
   */
  private async prepare(first: number): Promise<Batch[]> {
    const { reader } = this.parts;
    const entries = await reader.slice(first, this.block);
    // A manifest shorter than its header says: without this the loop would ask again forever.
    if (entries.length === 0)
      throw new Error(
        `the manifest holds no entry ${first}: it ends before the ${this.settings.matched} it counts`,
      );
    const messages: FormattedMessage[] = [];
    // A call's worth at a time: a format that reads waits on at most that many raw reads at once.
    for (let at = 0; at < entries.length; at += this.size) {
      for (const m of await this.format(first + at, entries.slice(at, at + this.size))) messages.push(m);
    }
    const batches: Batch[] = [];
    let current: Batch = { first, count: 0, messages: [], oversize: 0 };
    let bytes = 0;
    for (let k = 0; k < messages.length; k++) {
      const m = messages[k];
      const full = !m.oversize && current.messages.length > 0 && bytes + m.bytes > SQS_MESSAGE_MAX_BYTES;
      if (full || current.count === this.size) {
        batches.push(current);
        current = { first: current.first + current.count, count: 0, messages: [], oversize: 0 };
        bytes = 0;
      }
      current.count += 1;
      if (m.oversize) {
        current.oversize += 1;
        this.parts.logger.warn(
          { op: 'replay.message_too_large', replay_id: this.job.replay_id, index: first + k, bytes: m.bytes },
          'message over the SQS limit: counted as failed',
        );
      } else {
        current.messages.push(m);
        bytes += m.bytes;
      }
    }
    if (current.count > 0) batches.push(current);
    return batches;
  }

  /** The messages of `entries`, the first of which is manifest entry `first`. */
  private async format(first: number, entries: ManifestEntry[]): Promise<FormattedMessage[]> {
    const { formats } = this.parts;
    const replayId = this.job.resend_of ?? this.job.replay_id;
    const formatted = entries.map((e, i) => {
      // A formatter that throws becomes a rejection beside the others, so none is left unhandled.
      try {
        return formats.message(this.settings.format, replayId, e, entryId(first + i));
      } catch (err) {
        return Promise.reject(asError(err));
      }
    });
    if (!formatted.some(isPromiseLike)) return formatted as FormattedMessage[];
    // This format reads: one call's worth per prepare from now on, not a block ahead of the sends.
    this.block = this.size;
    return Promise.all(formatted.map((m) => Promise.resolve(m)));
  }

  private launch(batch: Batch): void {
    const first = this.window.start(batch.count);
    const call: Promise<void> = this.sendWithRetries(batch.first, batch.messages)
      .then(({ sent, failed }) => {
        this.window.finish(first, batch.count, sent, failed + batch.oversize);
        this.parts.metrics.batchSent(this.job.queue, sent, failed + batch.oversize);
        this.maybeCheckpoint();
      })
      .catch((err: unknown) => {
        this.error ??= asError(err);
      })
      .finally(() => {
        this.inFlight.delete(call);
        this.changed();
      });
    this.inFlight.add(call);
  }

  private maybeCheckpoint(): void {
    if (this.writing || this.lost || this.error !== undefined) return;
    const acked = this.window.acknowledged;
    if (!checkpointDue(acked, this.last, Date.now() - this.lastAt, this.settings)) return;
    this.writing = this.checkpoint(acked)
      .catch((err: unknown) => {
        this.error ??= asError(err);
      })
      .finally(() => {
        this.writing = undefined;
        this.changed();
        this.maybeCheckpoint();
      });
  }

  /** Records `acked` and renews the lease; learns of a lost lease or a cancel. */
  private async checkpoint(acked: Acknowledged): Promise<void> {
    this.last = acked;
    this.lastAt = Date.now();
    const status = await this.parts.jobs.checkpoint(
      this.job.replay_id,
      this.settings.owner,
      { next_index: acked.next, sent: acked.sent, failed: acked.failed },
      Date.now() + this.settings.leaseMs,
    );
    if (status === 'lost') this.lost = true;
    else this.stored = acked;
    if (status === 'cancelled') this.cancelled = true;
  }

  /**
   * One SendMessageBatch with retries of the entries SQS reports as failed and retryable, backing
   * off exponentially. Entries still failing after SEND_ATTEMPTS count as failed. A call that fails
   * as a whole (SQS unavailable) is retried the same way and then thrown: the job pauses, not fails.
   * `first` is the manifest index of the call's first entry: each failure is logged with its index.
   */
  private async sendWithRetries(
    first: number,
    messages: FormattedMessage[],
  ): Promise<{ sent: number; failed: number }> {
    let pending: OutgoingMessage[] = messages;
    let sent = 0;
    let failed = 0;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let result;
      try {
        result = await this.parts.queue.sendBatch(this.job.queue, pending);
      } catch (err) {
        if (!(err instanceof StorageUnavailableError) || attempt >= SEND_ATTEMPTS) throw err;
        await sleep(backoff(attempt));
        continue;
      }
      sent += result.sent.length;
      if (result.failed.length === 0) break;
      const retry = new Set(result.failed.filter((f) => f.retryable).map((f) => f.id));
      failed += result.failed.length - retry.size;
      // Every attempt's failures are logged, the last one's too: which entries were given up.
      const givingUp = retry.size > 0 && attempt >= SEND_ATTEMPTS;
      this.parts.logger.warn(
        {
          op: 'replay.send_failed',
          replay_id: this.job.replay_id,
          queue: this.job.queue,
          attempt,
          failures: result.failed.map((f) => ({ ...f, index: entryIndex(first, f.id) })),
          ...(givingUp ? { given_up: retry.size } : {}),
        },
        givingUp
          ? `SendMessageBatch entries failed; given up after ${SEND_ATTEMPTS} attempts`
          : 'SendMessageBatch entries failed',
      );
      if (givingUp) {
        failed += retry.size;
        break;
      }
      pending = pending.filter((m) => retry.has(m.id));
      if (pending.length > 0) await sleep(backoff(attempt));
    }
    return { sent, failed };
  }
}
