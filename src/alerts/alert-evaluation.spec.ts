import { emptyCounterDelta } from '../shared/ingest-stats/ingest-stats-store';
import type { CounterRow } from '../shared/ingest-stats/ingest-stats-store';
import { LAG_BUCKETS_MS } from '../shared/metrics/lag-histogram';
import { emptyState, measure, RuleState, SourceObservation, step, Verdict } from './alert-evaluation';
import { Rule, withDefaults } from './alert-rules';

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
const silence = withDefaults({ name: 'silence', kind: 'silence', minutes: 30 });

/** Active minutes of 2026-11-25 from minute `from` to `to` (exclusive), every `every` minutes. */
function activeMinutes(from: number, to: number, every = 1): Map<string, number[]> {
  const minutes: number[] = [];
  for (let m = from; m < to; m += every) minutes.push(m);
  return new Map([['2026-11-25', minutes]]);
}

const obs = (overrides: Partial<SourceObservation>): SourceObservation => ({
  source: 'orders-svc',
  counters: [],
  activity: new Map(),
  ...overrides,
});

const row = (hour: string, counts: Partial<CounterRow>): CounterRow => ({
  ...emptyCounterDelta('orders-svc', 'order.created', hour),
  ...counts,
});

describe('measure: silence', () => {
  // Yesterday is silent: the source starts at 00:00 today and is busy every minute until 11:20.
  const busyUntil1120 = activeMinutes(0, 11 * 60 + 20);
  const rule = withDefaults({ name: 'silence', kind: 'silence', minutes: 30, baseline_hours: 11 });

  it('breaches when a normally active source has been silent for the threshold', () => {
    const m = measure(
      rule,
      obs({ activity: busyUntil1120, lastReceivedAt: '2026-11-25T11:20:00.000Z' }),
      NOW,
    );
    expect(m).toMatchObject({ value: 40, verdict: 'breach' });
    expect(m.values).toMatchObject({ silent_minutes: 40, normally_active: true, active_share: 1 });
  });

  it('does not breach for a source that is often silent that long (a nightly batch)', () => {
    const bursts = activeMinutes(0, 11 * 60 + 20, 120);
    const m = measure(rule, obs({ activity: bursts, lastReceivedAt: '2026-11-25T10:00:00.000Z' }), NOW);
    expect(m.values.normally_active).toBe(false);
    expect(m.verdict).toBe('hold');
  });

  it('does not count the baseline hours before a new source existed as normal activity', () => {
    const m = measure(
      silence,
      obs({ activity: busyUntil1120, lastReceivedAt: '2026-11-25T11:20:00.000Z' }),
      NOW,
    );
    // 24 hours of baseline, the first 12 silent: active_share 0.5 < 0.9.
    expect(m.values.active_share).toBeCloseTo(0.5, 1);
    expect(m.verdict).toBe('hold');
  });

  it('clears once the source sends again, and holds between clear_ratio and the threshold', () => {
    expect(
      measure(rule, obs({ activity: busyUntil1120, lastReceivedAt: '2026-11-25T11:59:30.000Z' }), NOW)
        .verdict,
    ).toBe('clear');
    // 25 minutes: under 30, not under 30 x 0.8 = 24.
    expect(
      measure(rule, obs({ activity: busyUntil1120, lastReceivedAt: '2026-11-25T11:35:00.000Z' }), NOW)
        .verdict,
    ).toBe('hold');
  });

  it('counts a source never seen in the baseline as silent since the baseline began', () => {
    const m = measure(rule, obs({ activity: busyUntil1120 }), NOW);
    expect(m.value).toBe(11 * 60);
  });
});

describe('measure: counter rules', () => {
  const lag = withDefaults({ name: 'lag', kind: 'lag_p99', threshold_ms: 60_000, min_events: 10 });
  const rejects = withDefaults({ name: 'rej', kind: 'reject_rate', threshold: 0.05, min_events: 10 });
  const conflicts = withDefaults({ name: 'conf', kind: 'conflict_rate', threshold: 0.01, min_events: 10 });
  const lagBuckets = (ms: number, n: number) =>
    LAG_BUCKETS_MS.map((b, i) => (i === LAG_BUCKETS_MS.findIndex((x) => ms <= x) ? n : 0));

  it('reads lag p99 from the histogram of the rows in the window, ignoring older hours', () => {
    const rows = [
      row('2026-11-25T11', {
        accepted: 50,
        received: 50,
        lag_buckets: lagBuckets(120_000, 50),
        lag_max_ms: 120_000,
      }),
      row('2026-11-25T09', { accepted: 50, received: 50, lag_buckets: lagBuckets(500, 50), lag_max_ms: 500 }),
    ];
    const m = measure(lag, obs({ counters: rows }), NOW);
    expect(m.verdict).toBe('breach');
    expect(m.value).toBeGreaterThanOrEqual(60_000);
    expect(m.values).toMatchObject({ accepted: 50, counted_from: '2026-11-25T11:00:00.000Z' });
  });

  it('calls too few events clear, whatever the rate', () => {
    const rows = [row('2026-11-25T11', { received: 5, rejected: 5 })];
    expect(measure(rejects, obs({ counters: rows }), NOW)).toMatchObject({ value: 1, verdict: 'clear' });
  });

  it('compares reject and conflict rates to received submissions, summed over types', () => {
    const rows = [
      row('2026-11-25T12', { received: 60, rejected: 3, conflicts: 1 }),
      { ...row('2026-11-25T12', { received: 40, rejected: 3 }), type: 'order.paid' },
    ];
    expect(measure(rejects, obs({ counters: rows }), NOW)).toMatchObject({ value: 0.06, verdict: 'breach' });
    expect(measure(conflicts, obs({ counters: rows }), NOW)).toMatchObject({
      value: 0.01,
      verdict: 'breach',
    });
    const fewer = [row('2026-11-25T12', { received: 1000, rejected: 45 })];
    expect(measure(rejects, obs({ counters: fewer }), NOW).verdict).toBe('hold');
    const fine = [row('2026-11-25T12', { received: 100, rejected: 3 })];
    expect(measure(rejects, obs({ counters: fine }), NOW).verdict).toBe('clear');
  });
});

describe('step: hysteresis', () => {
  const rule: Rule = withDefaults({ name: 'r', kind: 'silence', minutes: 1, fire_after: 2, clear_after: 2 });
  const run = (verdicts: Verdict[], start: RuleState = emptyState('r', 's')) => {
    const actions: (string | undefined)[] = [];
    let state = start;
    for (const v of verdicts) {
      const next = step(rule, state, v);
      actions.push(next.action);
      state = next.action === 'fire' ? { ...next.state, open_alert_id: 'a1' } : next.state;
      if (next.action === 'resolve') delete state.open_alert_id;
    }
    return { actions, state };
  };

  it('fires after fire_after breaches in a row, once', () => {
    expect(run(['breach', 'breach', 'breach', 'breach']).actions).toEqual([
      undefined,
      'fire',
      undefined,
      undefined,
    ]);
  });

  it('starts over when a breach streak is interrupted by hold or clear', () => {
    expect(run(['breach', 'hold', 'breach', 'clear', 'breach']).actions).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('resolves after clear_after clears in a row; a hold in between keeps it open', () => {
    const { actions } = run(['breach', 'breach', 'clear', 'hold', 'clear', 'clear', 'clear']);
    expect(actions).toEqual([undefined, 'fire', undefined, undefined, undefined, 'resolve', undefined]);
  });

  it('changes no state while a source stays healthy or stays alerted', () => {
    const healthy = emptyState('r', 's');
    expect(step(rule, healthy, 'clear').state).toEqual(healthy);
    const alerted = { ...healthy, open_alert_id: 'a1' };
    expect(step(rule, alerted, 'breach').state).toEqual(alerted);
  });
});
