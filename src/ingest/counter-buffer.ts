// Group commit for stats counters and activity minutes. Each request adds its deltas and waits until
// a write that includes them has finished; while one write is in flight, later requests gather into
// the next. One request alone costs one write per counter row; many at once share writes.
// A failed write is never dropped: what the store reports unwritten is merged into the next write and
// retried with backoff, with or without new requests; what cannot be written at shutdown, or fails in
// a way a retry cannot fix, is logged in full (`op: counter.unwritten`) so it can be added back.
import { Logger } from '@nestjs/common';
import { StorageUnavailableError } from '../shared/errors/app-error';
import {
  ActivityMinutes,
  CounterDelta,
  IngestStatsStore,
  UnwrittenError,
} from '../shared/ingest-stats/ingest-stats-store';

interface Pending {
  counters: Map<string, CounterDelta>;
  activity: Map<string, { source: string; day: string; minutes: Set<number> }>;
  waiters: (() => void)[];
}

/** Told of every failed write: the error, and how many rows wait for a retry. */
export type WriteFailureListener = (err: unknown, pendingRows: number) => void;

const RETRY_MS = { first: 200, max: 30_000 };

export function mergeDelta(into: CounterDelta, d: CounterDelta): void {
  into.received += d.received;
  into.accepted += d.accepted;
  into.duplicates += d.duplicates;
  into.conflicts += d.conflicts;
  into.rejected += d.rejected;
  into.late += d.late;
  into.future += d.future;
  into.bytes += d.bytes;
  into.lag_sum_ms += d.lag_sum_ms;
  into.lag_max_ms = Math.max(into.lag_max_ms, d.lag_max_ms);
  d.lag_buckets.forEach((n, i) => (into.lag_buckets[i] += n));
}

/** Whether writing the same rows again later can succeed (a dependency was down or timed out). */
const retryable = (err: unknown): boolean =>
  err instanceof StorageUnavailableError ||
  (err instanceof UnwrittenError && err.cause instanceof StorageUnavailableError);

export class CounterBuffer {
  private readonly logger = new Logger(CounterBuffer.name);
  private pending?: Pending;
  private flushing?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  private retryMs = RETRY_MS.first;

  constructor(
    private readonly stats: IngestStatsStore,
    private readonly onFailure: WriteFailureListener = () => undefined,
  ) {}

  /**
   * Adds a request's deltas; never rejects. Resolves once a write holding them has finished: written,
   * or failed and kept for a retry. While writes fail (retries pending) it resolves at once, so
   * requests never wait on a storage outage for their counters.
   */
  add(counters: CounterDelta[], activity: ActivityMinutes[]): Promise<void> {
    if (counters.length === 0 && activity.length === 0) return Promise.resolve();
    const p = this.merge(counters, activity);
    if (this.retryTimer) return Promise.resolve();
    const done = new Promise<void>((resolve) => p.waiters.push(resolve));
    this.kick();
    return done;
  }

  /** Rows waiting for a write (after failures: waiting for a retry). */
  get pendingRows(): number {
    return (this.pending?.counters.size ?? 0) + (this.pending?.activity.size ?? 0);
  }

  /** At shutdown: one last write of whatever is pending; what still fails is logged in full. */
  async close(): Promise<void> {
    await this.flushing;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.pending) {
      this.flushing = this.write(this.take());
      await this.flushing;
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const left = this.pending;
    this.pending = undefined;
    if (left) this.lost([...left.counters.values()], this.activityOf(left), 'shutdown');
  }

  private merge(counters: CounterDelta[], activity: ActivityMinutes[]): Pending {
    const p: Pending = (this.pending ??= { counters: new Map(), activity: new Map(), waiters: [] });
    for (const d of counters) {
      const key = `${d.hour}|${d.source}|${d.type}`;
      const existing = p.counters.get(key);
      if (existing) mergeDelta(existing, d);
      else p.counters.set(key, { ...d, lag_buckets: [...d.lag_buckets] });
    }
    for (const a of activity) {
      const key = `${a.source}|${a.day}`;
      const existing = p.activity.get(key) ?? { source: a.source, day: a.day, minutes: new Set<number>() };
      a.minutes.forEach((m) => existing.minutes.add(m));
      p.activity.set(key, existing);
    }
    return p;
  }

  /** Starts a write of what is pending, unless one is running (it picks the rest up when done). */
  private kick(): void {
    if (this.flushing) return;
    // Let requests arriving in the same tick join this write.
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.retryTimer) await this.write(this.take());
    this.flushing = undefined;
  }

  private take(): Pending {
    const batch = this.pending!;
    this.pending = undefined;
    return batch;
  }

  private activityOf(p: Pending): ActivityMinutes[] {
    return [...p.activity.values()].map((a) => ({ source: a.source, day: a.day, minutes: [...a.minutes] }));
  }

  private async write(batch: Pending): Promise<void> {
    const counters = [...batch.counters.values()];
    const activity = this.activityOf(batch);
    const [c, a] = await Promise.allSettled([
      this.stats.addCounters(counters),
      this.stats.markActivity(activity),
    ]);
    if (c.status === 'fulfilled' && a.status === 'fulfilled') {
      this.retryMs = RETRY_MS.first;
      batch.waiters.forEach((w) => w());
      return;
    }
    const failures = [c, a].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    const error: unknown = failures[0].reason;
    const unwritten = (r: PromiseSettledResult<void>, all: unknown[]): unknown[] =>
      r.status === 'fulfilled' ? [] : r.reason instanceof UnwrittenError ? r.reason.unwritten : all;
    const leftCounters = unwritten(c, counters) as CounterDelta[];
    const leftActivity = unwritten(a, activity) as ActivityMinutes[];
    if (failures.every((f) => retryable(f.reason))) {
      this.merge(leftCounters, leftActivity);
      this.scheduleRetry();
    } else {
      this.lost(leftCounters, leftActivity, 'not_retryable', error);
    }
    this.onFailure(error, this.pendingRows);
    batch.waiters.forEach((w) => w());
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(RETRY_MS.max, this.retryMs * 2);
  }

  private lost(counters: CounterDelta[], activity: ActivityMinutes[], why: string, err?: unknown): void {
    if (counters.length === 0 && activity.length === 0) return;
    this.logger.error(
      { op: 'counter.unwritten', reason: why, err, counters, activity },
      'counter rows could not be written; they are logged here in full to be added back',
    );
  }
}
