import { validateEnv } from '../config/env.config';
import { EmfAggregator } from './emf';
import { MetricsService } from './metrics.service';

const emfOf = (metrics: MetricsService): Record<string, unknown>[] => {
  const lines: string[] = [];
  metrics.emfSink = (line) => lines.push(line);
  metrics.flushEmf();
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
};

describe('MetricsService', () => {
  let metrics: MetricsService;
  beforeEach(() => (metrics = new MetricsService(validateEnv({}))));

  it('feeds Prometheus and EMF from one counter declaration, EMF-only dimensions kept out of the labels', async () => {
    const calls = metrics.counter<{ outcome: 'ok' | 'bad'; queue: string }>({
      name: 'pipescope_test_calls_total',
      help: 'test calls',
      labelNames: ['outcome'],
      emf: { metric: (l) => (l.outcome === 'ok' ? 'CallsOk' : 'CallsBad'), dimensions: ['queue'] },
    });
    calls.inc({ outcome: 'ok', queue: 'q1' }, 3);
    calls.inc({ outcome: 'bad', queue: 'q1' });
    const text = await metrics.prometheusText();
    expect(text).toContain('pipescope_test_calls_total{outcome="ok"} 3\n');
    expect(text).toContain('pipescope_test_calls_total{outcome="bad"} 1\n');
    expect(emfOf(metrics)).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'pipescope',
              // Each metric is also published without dimensions: the service-wide rollup the alarms use.
              Dimensions: [['queue'], []],
              Metrics: [
                { Name: 'CallsOk', Unit: 'Count' },
                { Name: 'CallsBad', Unit: 'Count' },
              ],
            },
          ],
        },
        queue: 'q1',
        CallsOk: 3,
        CallsBad: 1,
      },
    ]);
  });

  it('gives Prometheus seconds and EMF the declared unit for a histogram observed in milliseconds', async () => {
    const lag = metrics.histogram<{ source: string }>({
      name: 'pipescope_test_lag_seconds',
      help: 'test lag',
      labelNames: ['source'],
      unit: 'Milliseconds',
      buckets: [1, 10],
      emf: { metric: 'TestLag', dimensions: ['source'] },
    });
    lag.observe({ source: 's' }, 2500);
    const text = await metrics.prometheusText();
    expect(text).toContain('pipescope_test_lag_seconds_sum{source="s"} 2.5\n');
    expect(text).toContain('pipescope_test_lag_seconds_bucket{le="1",source="s"} 0\n');
    expect(text).toContain('pipescope_test_lag_seconds_bucket{le="10",source="s"} 1\n');
    const [doc] = emfOf(metrics);
    expect(doc).toMatchObject({ source: 's', TestLag: 2500 });
  });

  it('writes no EMF for a metric declared without it, and takes no labels for one without labels', async () => {
    const running = metrics.gauge({ name: 'pipescope_test_running', help: 'test gauge', unit: 'None' });
    const failures = metrics.counter({ name: 'pipescope_test_failures_total', help: 'test counter' });
    running.set(4);
    failures.inc();
    failures.inc(2);
    const text = await metrics.prometheusText();
    expect(text).toContain('pipescope_test_running 4\n');
    expect(text).toContain('pipescope_test_failures_total 3\n');
    expect(emfOf(metrics)).toEqual([]);
  });

  it('refuses a metric name declared twice', () => {
    metrics.counter({ name: 'pipescope_test_twice_total', help: 'once' });
    expect(() => metrics.counter({ name: 'pipescope_test_twice_total', help: 'twice' })).toThrow(
      /already been registered/,
    );
  });

  it('refuses at boot an EMF dimension CloudWatch would reject', () => {
    expect(() =>
      metrics.counter<{ ':bad': string }>({
        name: 'pipescope_test_bad_total',
        help: 'bad dimension',
        emf: { metric: 'Bad', dimensions: [':bad'] },
      }),
    ).toThrow(/EMF dimension name :bad/);
  });

  describe('a metric with client-chosen labels', () => {
    const declare = (overrides: Record<string, string>) => {
      metrics = new MetricsService(validateEnv(overrides));
      let now = 1_000_000;
      metrics.clock = () => now;
      const seen = metrics.counter<{ source: string; outcome: string }>({
        name: 'pipescope_test_seen_total',
        help: 'test events',
        labelNames: ['source', 'outcome'],
        clientLabels: ['source'],
      });
      return { seen, advance: (ms: number) => (now += ms) };
    };
    const series = (text: string) =>
      text.split('\n').filter((l) => l.startsWith('pipescope_test_seen_total{'));

    it('keeps METRICS_MAX_SERIES label sets and counts the rest, exactly, under other', async () => {
      const { seen } = declare({ METRICS_MAX_SERIES: '3' });
      for (const source of ['a', 'b', 'c', 'd', 'e', 'a']) seen.inc({ source, outcome: 'ok' });
      seen.inc({ source: 'f', outcome: 'bad' });
      const text = await metrics.prometheusText();
      expect(series(text).sort()).toEqual([
        'pipescope_test_seen_total{source="a",outcome="ok"} 2',
        'pipescope_test_seen_total{source="b",outcome="ok"} 1',
        'pipescope_test_seen_total{source="c",outcome="ok"} 1',
        'pipescope_test_seen_total{source="other",outcome="bad"} 1',
        'pipescope_test_seen_total{source="other",outcome="ok"} 2',
      ]);
    });

    it('drops label sets not observed for METRICS_SERIES_TTL_MS, freeing their place', async () => {
      const { seen, advance } = declare({ METRICS_MAX_SERIES: '2', METRICS_SERIES_TTL_MS: '60000' });
      seen.inc({ source: 'quiet', outcome: 'ok' });
      advance(30_000);
      seen.inc({ source: 'busy', outcome: 'ok' });
      advance(30_000);
      seen.inc({ source: 'busy', outcome: 'ok' });
      expect(series(await metrics.prometheusText())).toEqual([
        'pipescope_test_seen_total{source="busy",outcome="ok"} 2',
      ]);
      seen.inc({ source: 'new', outcome: 'ok' });
      expect(series(await metrics.prometheusText()).sort()).toEqual([
        'pipescope_test_seen_total{source="busy",outcome="ok"} 2',
        'pipescope_test_seen_total{source="new",outcome="ok"} 1',
      ]);
    });
  });

  it('aggregates nothing for EMF when it is off: no work per observation for lines never written', () => {
    const add = jest.spyOn(EmfAggregator.prototype, 'add');
    try {
      for (const enabled of ['false', 'true']) {
        const service = new MetricsService(validateEnv({ METRICS_EMF_ENABLED: enabled }));
        const calls = service.counter<{ queue: string }>({
          name: 'pipescope_test_emf_calls_total',
          help: 'test calls',
          emf: { metric: 'Calls', dimensions: ['queue'] },
        });
        calls.inc({ queue: 'q1' });
      }
      expect(add).toHaveBeenCalledTimes(1);
    } finally {
      add.mockRestore();
    }
  });
});
