import { emfProblems } from '../../test/support/emf-schema';
import { validateEnv } from '../shared/config/env.config';
import { MetricsService } from '../shared/metrics/metrics.service';
import { IngestMetrics } from './ingest.metrics';

/** 5,000 (source, type) pairs, as a misbehaving or hostile producer could send in one afternoon. */
const PAIRS = Array.from({ length: 5000 }, (_, i) => [`src-${i % 2500}`, `type.${i}`] as const);

describe('IngestMetrics cardinality', () => {
  it('holds 5,000 (source, type) pairs to METRICS_MAX_SERIES label sets, every event still counted', async () => {
    const metrics = new MetricsService(validateEnv({}));
    const ingest = new IngestMetrics(metrics);
    for (const [source, type] of PAIRS) {
      ingest.ingest(source, type, 'accepted');
      ingest.ingestLag(source, type, 1500);
    }
    const text = await metrics.prometheusText();
    const events = text.split('\n').filter((l) => l.startsWith('pipescope_events_total{'));
    expect(events).toHaveLength(1000 + 1);
    expect(events.reduce((n, l) => n + Number(l.split(' ').pop()), 0)).toBe(5000);
    expect(events).toContain('pipescope_events_total{source="other",type="other",outcome="accepted"} 4000');
    const lagSources = new Set(
      text
        .split('\n')
        .filter((l) => l.startsWith('pipescope_ingest_lag_seconds_count{'))
        .map((l) => /source="([^"]*)"/.exec(l)![1]),
    );
    expect(lagSources.size).toBeLessThanOrEqual(1000 + 1);
    expect(lagSources.has('other')).toBe(true);
  });

  it('writes EMF lines that follow the specification, whatever the type', () => {
    const metrics = new MetricsService(validateEnv({}));
    const lines: string[] = [];
    metrics.emfSink = (line) => lines.push(line);
    const ingest = new IngestMetrics(metrics);
    for (const type of ['order.créé', '注文', 'x'.repeat(128), '~']) {
      ingest.ingest('orders-svc', type, 'accepted');
      ingest.ingest('orders-svc', type, 'duplicate', 3);
      for (let i = 0; i < 250; i++) ingest.ingestLag('orders-svc', type, i * 37);
    }
    ingest.storageError('s3', 'PutObject');
    metrics.flushEmf();
    expect(lines.length).toBe(5);
    expect(lines.map(emfProblems)).toEqual(lines.map(() => []));
  });
});
