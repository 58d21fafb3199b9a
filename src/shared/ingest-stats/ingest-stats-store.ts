// Port for what ingest counts: per (source, type, hour) counter rows with a fixed lag histogram, and
// the minutes in which each source sent anything (for silence detection). Ingest writes them; the
// query module reads them for /stats, /lag and /gaps, alerting and reconcile read them too.
import { emptyBuckets } from '../metrics/lag-histogram';

/** Counts of one (source, type, hour); lag bucket i holds lags <= LAG_BUCKETS_MS[i] (last: +Inf). */
export interface CounterDelta {
  source: string;
  type: string;
  /** UTC hour, `YYYY-MM-DDTHH`. */
  hour: string;
  received: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  late: number;
  future: number;
  bytes: number;
  lag_buckets: number[];
  lag_sum_ms: number;
  lag_max_ms: number;
}

export type CounterRow = CounterDelta;

/** The minutes of one UTC day (0..1439) in which a source sent anything. */
export interface ActivityMinutes {
  source: string;
  /** `YYYY-MM-DD`. */
  day: string;
  minutes: number[];
}

/** A counter row with every count at zero, to add observations to. */
export function emptyCounterDelta(source: string, type: string, hour: string): CounterDelta {
  return {
    source,
    type,
    hour,
    received: 0,
    accepted: 0,
    duplicates: 0,
    conflicts: 0,
    rejected: 0,
    late: 0,
    future: 0,
    bytes: 0,
    lag_buckets: emptyBuckets(),
    lag_sum_ms: 0,
    lag_max_ms: 0,
  };
}

/** Adds `d`'s counts to `into` (the maximum lag is the larger of the two). */
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

/**
 * A multi-row write that could only partly be made: `unwritten` holds exactly what is missing (whole
 * rows, or a row's lag_max alone when its counts were added), so a retry never adds anything twice.
 */
export class UnwrittenError<T> extends Error {
  constructor(
    readonly unwritten: T[],
    override readonly cause: unknown,
  ) {
    super(`${unwritten.length} rows unwritten: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'UnwrittenError';
  }
}

export abstract class IngestStatsStore {
  /**
   * Adds counter deltas: one UpdateItem per (source, type, hour) row, on this writer's shard of the
   * row (a second one only when another writer raised the row's maximum lag first). Throws
   * UnwrittenError with the deltas still to write when any row failed.
   */
  abstract addCounters(deltas: CounterDelta[]): Promise<void>;
  /**
   * Marks the minutes (of received_at) in which each source sent anything, for gap detection.
   * Idempotent (a set union). Throws UnwrittenError with the entries still to write.
   */
  abstract markActivity(minutes: ActivityMinutes[]): Promise<void>;
  /** Counter rows of the given hours, of one source or of all, every shard of a row summed into one. */
  abstract counters(hours: string[], source?: string): Promise<CounterRow[]>;
  /** Active minutes per day for a source: day `YYYY-MM-DD` to sorted minute-of-day numbers. */
  abstract activity(source: string, days: string[]): Promise<Map<string, number[]>>;
}
