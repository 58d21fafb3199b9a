// Group commit for stats counters and activity minutes. Each request adds its deltas and waits until
// a write that includes them has finished; while one write is in flight, later requests gather into
// the next. One request alone costs one write per counter row; many at once share writes.
import { detached } from '../shared/async/request-scope';
import { CounterDelta, IngestStatsStore } from '../shared/ingest-stats/ingest-stats-store';

interface Pending {
  counters: Map<string, CounterDelta>;
  activity: Map<string, { source: string; day: string; minutes: Set<number> }>;
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
}

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

export class CounterBuffer {
  private pending?: Pending;
  private flushing = false;

  constructor(private readonly stats: IngestStatsStore) {}

  add(
    counters: CounterDelta[],
    activity: { source: string; day: string; minutes: number[] }[],
  ): Promise<void> {
    if (counters.length === 0 && activity.length === 0) return Promise.resolve();
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
    const done = new Promise<void>((resolve, reject) => p.waiters.push({ resolve, reject }));
    if (!this.flushing) {
      this.flushing = true;
      // Let requests arriving in the same tick join this write; it serves them all, so no one
      // request's client leaving may cancel it.
      detached(() => setImmediate(() => void this.drain()));
    }
    return done;
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const batch = this.pending;
      this.pending = undefined;
      try {
        await Promise.all([
          this.stats.addCounters([...batch.counters.values()]),
          this.stats.markActivity(
            [...batch.activity.values()].map((a) => ({
              source: a.source,
              day: a.day,
              minutes: [...a.minutes],
            })),
          ),
        ]);
        batch.waiters.forEach((w) => w.resolve());
      } catch (err) {
        batch.waiters.forEach((w) => w.reject(err));
      }
    }
    this.flushing = false;
  }
}
