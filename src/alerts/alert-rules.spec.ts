import { defaultRules, parseRules, rulesFor, withDefaults } from './alert-rules';

describe('alert rules', () => {
  it('accepts a bare array or { rules } and fills the defaults', () => {
    const parsed = parseRules([{ name: 'quiet', kind: 'silence', minutes: 0.5 }]);
    expect('rules' in parsed && parsed.rules.map(withDefaults)).toEqual([
      {
        name: 'quiet',
        kind: 'silence',
        source: null,
        threshold: 0.5,
        baseline_hours: 24,
        min_active_share: 0.9,
        window_minutes: 60,
        min_events: 20,
        fire_after: 1,
        clear_after: 2,
        clear_ratio: 0.8,
      },
    ]);
    expect('rules' in parseRules({ rules: [] })).toBe(true);
  });

  it('names every problem by its field', () => {
    const parsed = parseRules({
      rules: [
        { name: 'Bad Name', kind: 'silence', minutes: 5 },
        { name: 'lag', kind: 'lag_p99' },
        { name: 'rate', kind: 'reject_rate', threshold: 2, extra: 1 },
        { name: 'x', kind: 'nope' },
      ],
    });
    expect('problems' in parsed && parsed.problems.map((p) => p.field)).toEqual(
      expect.arrayContaining([
        'rules.0.name',
        'rules.1.threshold_ms',
        'rules.2.threshold',
        'rules.2.extra',
        'rules.3.kind',
      ]),
    );
    expect('problems' in parseRules('nope')).toBe(true);
  });

  it('refuses fields of another kind and a rule defined twice for one scope', () => {
    const parsed = parseRules([
      { name: 'a', kind: 'reject_rate', threshold: 0.1, minutes: 3 },
      { name: 'a', kind: 'reject_rate', threshold: 0.2 },
      { name: 'a', kind: 'reject_rate', threshold: 0.3, source: 'orders-svc' },
    ]);
    expect('problems' in parsed && parsed.problems).toEqual([
      { field: 'rules.0.minutes', message: 'minutes does not apply to kind reject_rate' },
      { field: 'rules.1.name', message: 'rule a is defined twice for one scope' },
    ]);
  });

  it("lets a source's own rule replace the general rule of the same name", () => {
    const rules = [
      { name: 'silence', kind: 'silence' as const, minutes: 30 },
      { name: 'silence', kind: 'silence' as const, minutes: 1500, source: 'nightly' },
      { name: 'rejects', kind: 'reject_rate' as const, threshold: 0.05 },
    ].map(withDefaults);
    expect(rulesFor(rules, 'nightly').map((r) => [r.name, r.threshold])).toEqual([
      ['silence', 1500],
      ['rejects', 0.05],
    ]);
    expect(rulesFor(rules, 'orders').map((r) => [r.name, r.threshold])).toEqual([
      ['silence', 30],
      ['rejects', 0.05],
    ]);
  });

  it('has defaults that pass their own validation, lag tied to the late threshold', () => {
    const rules = defaultRules(300_000);
    expect('rules' in parseRules(rules)).toBe(true);
    expect(rules.map(withDefaults).find((r) => r.kind === 'lag_p99')?.threshold).toBe(300_000);
  });
});
