// Turns hourly counter rows into one row per (source, type) with lag quantiles, rates and a health
// verdict. Pure: the thresholds below are the documented ones (docs/api.md, GET /stats).
import { quantile } from '../shared/metrics/lag-histogram';
import { CounterRow } from '../shared/ingest-stats/ingest-stats-store';

export type Health = 'ok' | 'warn' | 'bad';

export interface StatsRow {
  source: string;
  type: string;
  received: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  late: number;
  future: number;
  bytes: number;
  lag_ms: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  /** duplicates / received */
  duplicate_rate: number;
  /** late / accepted */
  late_rate: number;
  /** rejected / received */
  reject_rate: number;
  health: Health;
  /** Which thresholds were crossed, e.g. `duplicate_rate 0.2 >= 0.05 (bad)`. */
  health_reasons: string[];
}

/** A rate at or above `warn` is warn, at or above `bad` is bad; any conflict is at least warn. */
export const HEALTH_THRESHOLDS = {
  duplicate_rate: { warn: 0.01, bad: 0.05 },
  late_rate: { warn: 0.01, bad: 0.05 },
  reject_rate: { warn: 0.01, bad: 0.05 },
  /** Conflicts are producer bugs: one is a warning, this share of received is bad. */
  conflict_rate: { warn: Number.MIN_VALUE, bad: 0.01 },
} as const;

function add(into: CounterRow, r: CounterRow): void {
  for (const k of [
    'received',
    'accepted',
    'duplicates',
    'conflicts',
    'rejected',
    'late',
    'future',
    'bytes',
  ] as const)
    into[k] += r[k];
  into.lag_sum_ms += r.lag_sum_ms;
  into.lag_max_ms = Math.max(into.lag_max_ms, r.lag_max_ms);
  r.lag_buckets.forEach((n, i) => (into.lag_buckets[i] += n));
}

const SEVERITY: Record<Health, number> = { ok: 0, warn: 1, bad: 2 };

const rate = (n: number, of: number): number => (of > 0 ? Math.round((n / of) * 10_000) / 10_000 : 0);

export function healthOf(rates: Record<keyof typeof HEALTH_THRESHOLDS, number>): {
  health: Health;
  reasons: string[];
} {
  let health: Health = 'ok';
  const reasons: string[] = [];
  for (const [name, limits] of Object.entries(HEALTH_THRESHOLDS) as [
    keyof typeof HEALTH_THRESHOLDS,
    { warn: number; bad: number },
  ][]) {
    const value = rates[name];
    const level: Health = value >= limits.bad ? 'bad' : value >= limits.warn ? 'warn' : 'ok';
    if (level !== 'ok') {
      const limit = level === 'bad' ? limits.bad : limits.warn;
      reasons.push(`${name} ${value} >= ${limit === Number.MIN_VALUE ? '>0' : limit} (${level})`);
      if (SEVERITY[level] > SEVERITY[health]) health = level;
    }
  }
  return { health, reasons };
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sums counter rows per (source, type) and orders them worst first. */
export function statsRows(counters: CounterRow[]): StatsRow[] {
  const sums = new Map<string, CounterRow>();
  for (const row of counters) {
    const key = `${row.source}\u0000${row.type}`;
    const sum = sums.get(key);
    if (sum) add(sum, row);
    else sums.set(key, { ...row, lag_buckets: [...row.lag_buckets] });
  }
  const rows = [...sums.values()].map((s): StatsRow => {
    const timed = s.lag_buckets.reduce((a, b) => a + b, 0) > 0;
    const q = (p: number) => (timed ? quantile(s.lag_buckets, p, s.lag_max_ms) : null);
    const rates = {
      duplicate_rate: rate(s.duplicates, s.received),
      late_rate: rate(s.late, s.accepted),
      reject_rate: rate(s.rejected, s.received),
      conflict_rate: rate(s.conflicts, s.received),
    };
    const { health, reasons } = healthOf(rates);
    return {
      source: s.source,
      type: s.type,
      received: s.received,
      accepted: s.accepted,
      duplicates: s.duplicates,
      conflicts: s.conflicts,
      rejected: s.rejected,
      late: s.late,
      future: s.future,
      bytes: s.bytes,
      lag_ms: { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: timed ? s.lag_max_ms : null },
      duplicate_rate: rates.duplicate_rate,
      late_rate: rates.late_rate,
      reject_rate: rates.reject_rate,
      health,
      health_reasons: reasons,
    };
  });
  return rows.sort((a, b) => compareStats(positionOf(a), positionOf(b)));
}

/** Where a row sorts: what a /stats page cursor carries (health, badness, received, source, type). */
export interface StatsPosition {
  h: number;
  b: number;
  r: number;
  s: string;
  t: string;
}

export const positionOf = (r: StatsRow): StatsPosition => ({
  h: SEVERITY[r.health],
  b: r.duplicate_rate + r.late_rate + r.reject_rate + (r.conflicts > 0 ? 1 : 0),
  r: r.received,
  s: r.source,
  t: r.type,
});

/** Worst first: verdict, then the sum of the rates, then received, then source and type. */
export const compareStats = (a: StatsPosition, b: StatsPosition): number =>
  b.h - a.h || b.b - a.b || b.r - a.r || byCodePoint(a.s, b.s) || byCodePoint(a.t, b.t);

/** One page of sorted rows: those after `after`, at most `limit`, and where the next page starts. */
export function statsPage(
  sorted: StatsRow[],
  limit: number,
  after?: StatsPosition,
): { rows: StatsRow[]; next?: StatsPosition } {
  const start = after ? sorted.findIndex((r) => compareStats(positionOf(r), after) > 0) : 0;
  const rows = start < 0 ? [] : sorted.slice(start, start + limit);
  const more = start >= 0 && start + limit < sorted.length;
  return { rows, next: more ? positionOf(rows[rows.length - 1]) : undefined };
}
