// The pure half of alerting: what a rule measures for one source, whether that breaches or clears,
// and the hysteresis that turns consecutive verdicts into firing and resolving. Unit-tested.
import { hourOf } from '../shared/aws/table-keys';
import type { CounterRow } from '../shared/ingest-stats/ingest-stats-store';
import { findGaps } from '../query/activity-gaps';
import { statsRows } from '../query/stats-rows';
import type { Rule } from './alert-rules';

/** breach: over the threshold; clear: under threshold x clear_ratio (or too little data); hold: between. */
export type Verdict = 'breach' | 'hold' | 'clear';

/** What the stores say about one source for one evaluation. */
export interface SourceObservation {
  source: string;
  /** Its hourly counter rows over the longest window any rule needs. */
  counters: CounterRow[];
  /** Active minutes per UTC day over the silence baseline (silence rules only). */
  activity: ReadonlyMap<string, readonly number[]>;
  /** Its newest received_at within the silence baseline, if any. */
  lastReceivedAt?: string;
}

export interface Measurement {
  /** silence: minutes silent; lag_p99: ms; rates: a share; null when there is nothing to measure. */
  value: number | null;
  verdict: Verdict;
  /** Everything the notification shows beside the value. */
  values: Record<string, number | string | boolean | null>;
}

const MINUTE_MS = 60_000;
const round = (n: number, places = 4): number => Math.round(n * 10 ** places) / 10 ** places;

function judge(rule: Rule, value: number | null, enough: boolean): Verdict {
  if (!enough || value === null) return 'clear';
  if (value >= rule.threshold) return 'breach';
  return value < rule.threshold * rule.clear_ratio ? 'clear' : 'hold';
}

/** Start of the rule's window: rate rules read whole hourly counter rows from this hour on. */
export const windowStart = (rule: Rule, now: number): number =>
  now - (rule.kind === 'silence' ? rule.baseline_hours * 60 : rule.window_minutes) * MINUTE_MS;

export function measure(rule: Rule, obs: SourceObservation, now: number): Measurement {
  if (rule.kind === 'silence') return measureSilence(rule, obs, now);
  const firstHour = hourOf(new Date(windowStart(rule, now)).toISOString());
  const rows = obs.counters.filter((r) => r.hour >= firstHour).map((r) => ({ ...r, type: '*' }));
  const [sum] = statsRows(rows);
  const received = sum?.received ?? 0;
  const accepted = sum?.accepted ?? 0;
  const counted_from = `${firstHour}:00:00.000Z`;
  switch (rule.kind) {
    case 'lag_p99': {
      const p99 = sum?.lag_ms.p99 ?? null;
      return {
        value: p99,
        verdict: judge(rule, p99, accepted >= rule.min_events),
        values: { lag_p99_ms: p99, threshold_ms: rule.threshold, accepted, counted_from },
      };
    }
    case 'reject_rate':
    case 'conflict_rate': {
      const count = rule.kind === 'reject_rate' ? (sum?.rejected ?? 0) : (sum?.conflicts ?? 0);
      const rate = received > 0 ? round(count / received) : null;
      return {
        value: rate,
        verdict: judge(rule, rate, received >= rule.min_events),
        values: {
          [rule.kind]: rate,
          threshold: rule.threshold,
          [rule.kind === 'reject_rate' ? 'rejected' : 'conflicts']: count,
          received,
          counted_from,
        },
      };
    }
  }
}

/**
 * Silent for `threshold` minutes, when the source is normally active: over the baseline it spent at
 * most 1 - min_active_share of the time in earlier silences at least that long (the one going on now
 * does not count), and it sent something. Clears when the source sends again.
 */
function measureSilence(rule: Rule, obs: SourceObservation, now: number): Measurement {
  const from = windowStart(rule, now);
  const last = obs.lastReceivedAt ? Date.parse(obs.lastReceivedAt) : undefined;
  const silent = round(Math.max(0, now - (last ?? from)) / MINUTE_MS, 2);
  const report = findGaps(
    obs.activity,
    { from: new Date(from).toISOString(), to: new Date(now).toISOString() },
    Math.max(1, Math.ceil(rule.threshold)),
  );
  const silentBefore = report.gaps.filter((g) => !g.open_end).reduce((n, g) => n + g.minutes, 0);
  const share = report.examined_minutes > 0 ? round(1 - silentBefore / report.examined_minutes) : 0;
  const normallyActive = report.active_minutes > 0 && share >= rule.min_active_share;
  const verdict: Verdict =
    silent >= rule.threshold
      ? normallyActive
        ? 'breach'
        : 'hold'
      : silent < rule.threshold * rule.clear_ratio
        ? 'clear'
        : 'hold';
  return {
    value: silent,
    verdict,
    values: {
      silent_minutes: silent,
      threshold_minutes: rule.threshold,
      last_received_at: obs.lastReceivedAt ?? null,
      active_share: share,
      normally_active: normallyActive,
      baseline_hours: rule.baseline_hours,
    },
  };
}

/** Hysteresis state of one (rule, source), persisted between evaluations. */
export interface RuleState {
  rule: string;
  source: string;
  breach_streak: number;
  clear_streak: number;
  open_alert_id?: string;
}

export const emptyState = (rule: string, source: string): RuleState => ({
  rule,
  source,
  breach_streak: 0,
  clear_streak: 0,
});

/**
 * The next state, and whether an alert fires (none open, breached fire_after times in a row) or
 * resolves (one open, clear clear_after times in a row). Streaks count only toward the next action
 * and stop there, so a source that stays healthy (or stays alerted) changes no state at all.
 */
export function step(
  rule: Rule,
  state: RuleState,
  verdict: Verdict,
): { state: RuleState; action?: 'fire' | 'resolve' } {
  const open = state.open_alert_id !== undefined;
  const rest = { ...state, breach_streak: 0, clear_streak: 0 };
  switch (verdict) {
    case 'breach': {
      if (open) return { state: rest };
      const streak = state.breach_streak + 1;
      return streak >= rule.fire_after
        ? { state: rest, action: 'fire' }
        : { state: { ...rest, breach_streak: streak } };
    }
    case 'clear': {
      if (!open) return { state: rest };
      const streak = state.clear_streak + 1;
      return streak >= rule.clear_after
        ? { state: rest, action: 'resolve' }
        : { state: { ...rest, clear_streak: streak } };
    }
    case 'hold':
      // Between the thresholds: an open alert stays open, a forming one starts over.
      return { state: rest };
  }
}

export const sameState = (a: RuleState, b: RuleState): boolean =>
  a.breach_streak === b.breach_streak &&
  a.clear_streak === b.clear_streak &&
  a.open_alert_id === b.open_alert_id;
