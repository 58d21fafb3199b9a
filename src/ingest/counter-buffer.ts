// Stats counters and activity minutes of this instance, written in coalesced flushes. With
// COUNTER_FLUSH_MS > 0 (the default) requests add their deltas and go on; one flush per interval writes
// every row that changed, so each row takes at most one write per interval from this instance,
// whatever the traffic (docs/scaling.md). With 0, each request waits until a write holding its deltas
// has finished, and requests arriving while one runs share the next (group commit).
// A source's minute of activity is written once per instance: minutes already written are not sent
// again. A failed write is never dropped: what the store reports unwritten is merged into the next
// write and retried with backoff, with or without new requests; what cannot be written at shutdown,
// or fails in a way a retry cannot fix, is logged in full (`op: counter.unwritten`) to be added back.
import { Logger } from '@nestjs/common';
import { detached } from '../shared/async/request-scope';
import { StorageUnavailableError } from '../shared/errors/app-error';
import {
  ActivityMinutes,
  CounterDelta,
  IngestStatsStore,
  mergeDelta,
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
/** Days of written minutes remembered: today's and yesterday's (a late flush of the day before). */
const WRITTEN_DAYS_KEPT = 2;

/** Whether writing the same rows again later can succeed (a dependency was down or timed out). */
const retryable = (err: unknown): boolean =>
  err instanceof StorageUnavailableError ||
  (err instanceof UnwrittenError && err.cause instanceof StorageUnavailableError);

export class CounterBuffer {
  private readonly logger = new Logger(CounterBuffer.name);
  private pending?: Pending;
  private flushing?: Promise<void>;
  private flushTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private retryMs = RETRY_MS.first;
  /** Minutes of activity already written, per `source|day`: not written again. */
  private readonly written = new Map<string, Set<number>>();

  constructor(
    private readonly stats: IngestStatsStore,
    private readonly onFailure: WriteFailureListener = () => undefined,
    /** COUNTER_FLUSH_MS: the interval between flushes; 0 writes at once and callers wait. */
    private readonly flushMs = 0,
  ) {}

  /**
   * Adds a request's deltas; never rejects. With a flush interval it resolves at once. Without, it
   * resolves once a write holding them has finished: written, or failed and kept for a retry; while
   * writes fail (retries pending) it resolves at once, so requests never wait on a storage outage.
   */
  add(counters: CounterDelta[], activity: ActivityMinutes[]): Promise<void> {
    const p = this.merge(counters, activity);
    if (!p) return Promise.resolve();
    if (this.retryTimer) return Promise.resolve();
    if (this.flushMs > 0) {
      this.schedule();
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => p.waiters.push(resolve));
    this.schedule();
    return done;
  }

  /** Rows waiting for a write (after failures: waiting for a retry). */
  get pendingRows(): number {
    return (this.pending?.counters.size ?? 0) + (this.pending?.activity.size ?? 0);
  }

  /** At shutdown: one last write of whatever is pending; what still fails is logged in full. */
  async close(): Promise<void> {
    await this.flushing;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
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

  /** Merges deltas into what is pending; undefined when there is nothing new to write. */
  private merge(counters: CounterDelta[], activity: ActivityMinutes[]): Pending | undefined {
    const fresh = activity
      .map((a) => {
        const done = this.written.get(`${a.source}|${a.day}`);
        return done ? { ...a, minutes: a.minutes.filter((m) => !done.has(m)) } : a;
      })
      .filter((a) => a.minutes.length > 0);
    if (counters.length === 0 && fresh.length === 0) return this.pending;
    const p: Pending = (this.pending ??= { counters: new Map(), activity: new Map(), waiters: [] });
    for (const d of counters) {
      const key = `${d.hour}|${d.source}|${d.type}`;
      const existing = p.counters.get(key);
      if (existing) mergeDelta(existing, d);
      else p.counters.set(key, { ...d, lag_buckets: [...d.lag_buckets] });
    }
    for (const a of fresh) {
      const key = `${a.source}|${a.day}`;
      const existing = p.activity.get(key) ?? { source: a.source, day: a.day, minutes: new Set<number>() };
      a.minutes.forEach((m) => existing.minutes.add(m));
      p.activity.set(key, existing);
    }
    return p;
  }

  /**
   * Starts a write of what is pending: after the flush interval, or at once (letting requests of the
   * same tick join) without one; a running write picks the rest up when done. The write serves many
   * requests, so it runs outside any one (whose client leaving would otherwise cancel it).
   */
  private schedule(): void {
    if (this.flushing || this.flushTimer || this.retryTimer) return;
    detached(() => {
      if (this.flushMs > 0) {
        this.flushTimer = setTimeout(() => {
          this.flushTimer = undefined;
          this.flushing = this.drain();
        }, this.flushMs);
        this.flushTimer.unref();
      } else {
        this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    // Without an interval, write until nothing is pending; with one, once per interval.
    do {
      if (this.pending) await this.write(this.take());
    } while (this.flushMs === 0 && this.pending && !this.retryTimer);
    this.flushing = undefined;
    if (this.pending && !this.retryTimer) this.schedule();
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
      counters.length > 0 ? this.stats.addCounters(counters) : Promise.resolve(),
      activity.length > 0 ? this.stats.markActivity(activity) : Promise.resolve(),
    ]);
    const unwritten = (r: PromiseSettledResult<void>, all: unknown[]): unknown[] =>
      r.status === 'fulfilled' ? [] : r.reason instanceof UnwrittenError ? r.reason.unwritten : all;
    const leftActivity = unwritten(a, activity) as ActivityMinutes[];
    this.remember(activity, leftActivity);
    if (c.status === 'fulfilled' && a.status === 'fulfilled') {
      this.retryMs = RETRY_MS.first;
      batch.waiters.forEach((w) => w());
      return;
    }
    const failures = [c, a].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    const error: unknown = failures[0].reason;
    const leftCounters = unwritten(c, counters) as CounterDelta[];
    if (failures.every((f) => retryable(f.reason))) {
      this.merge(leftCounters, leftActivity);
      this.scheduleRetry();
    } else {
      this.lost(leftCounters, leftActivity, 'not_retryable', error);
    }
    this.onFailure(error, this.pendingRows);
    batch.waiters.forEach((w) => w());
  }

  /** Records the minutes written (all of `sent` but `left`), forgetting days before yesterday. */
  private remember(sent: ActivityMinutes[], left: ActivityMinutes[]): void {
    const failed = new Set(left.map((a) => `${a.source}|${a.day}`));
    for (const a of sent) {
      const key = `${a.source}|${a.day}`;
      if (failed.has(key)) continue;
      const done = this.written.get(key) ?? new Set<number>();
      a.minutes.forEach((m) => done.add(m));
      this.written.set(key, done);
    }
    const days = [...new Set([...this.written.keys()].map((k) => k.slice(k.lastIndexOf('|') + 1)))].sort();
    const oldest = days[days.length - WRITTEN_DAYS_KEPT] ?? days[0];
    for (const key of this.written.keys()) {
      if (key.slice(key.lastIndexOf('|') + 1) < oldest) this.written.delete(key);
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    detached(() => {
      // A retry is a flush too: never more often than the interval.
      this.retryTimer = setTimeout(
        () => {
          this.retryTimer = undefined;
          this.flushing ??= this.drain();
        },
        Math.max(this.retryMs, this.flushMs),
      );
      this.retryTimer.unref();
    });
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
