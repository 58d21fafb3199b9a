import { validateEnv } from '../config/env.config';
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
              Dimensions: [['queue']],
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
});
