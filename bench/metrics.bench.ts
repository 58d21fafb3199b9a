// Scrape size and time of /metrics's text after 5,000 distinct (source, type) pairs were ingested, as
// IngestMetrics records them (one accepted event and its lag per pair, every pair its own source: the
// worst case, since the lag histogram is labelled by source), with the bound off (METRICS_MAX_SERIES
// past 5,000: what /metrics did before the bound) and on (the default). The floor is a scrape of
// the same registry before any event: the process metrics alone. No emulators: this is the registry.
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { IngestMetrics } from '../src/ingest/ingest.metrics';
import { validateEnv } from '../src/shared/config/env.config';
import { MetricsService } from '../src/shared/metrics/metrics.service';

const PAIRS = 5000;
const SCRAPES = 30;

interface Scrape {
  bytes: number;
  p50: number;
  p99: number;
  series: number;
}

async function scrape(metrics: MetricsService): Promise<Scrape> {
  const times: number[] = [];
  let text = '';
  for (let i = 0; i < SCRAPES; i++) {
    const started = performance.now();
    text = await metrics.prometheusText();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  const series = text.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length;
  return { bytes: Buffer.byteLength(text), p50: at(0.5), p99: at(0.99), series };
}

async function measure(maxSeries: number): Promise<{ floor: Scrape; loaded: Scrape }> {
  const metrics = new MetricsService(validateEnv({ METRICS_MAX_SERIES: String(maxSeries) }));
  const ingest = new IngestMetrics(metrics);
  const floor = await scrape(metrics);
  for (let i = 0; i < PAIRS; i++) {
    ingest.ingest(`source-${i}`, `type.${i}`, 'accepted');
    ingest.ingestLag(`source-${i}`, `type.${i}`, 1000 + i);
  }
  return { floor, loaded: await scrape(metrics) };
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  const unbounded = await measure(1_000_000);
  const bounded = await measure(validateEnv({}).METRICS_MAX_SERIES);
  const rows: [string, Scrape][] = [
    ['floor: process metrics only', bounded.floor],
    [`${PAIRS} pairs, no bound (before)`, unbounded.loaded],
    [`${PAIRS} pairs, METRICS_MAX_SERIES=1000 (after)`, bounded.loaded],
  ];
  console.log(`\n/metrics text after ${PAIRS} distinct (source, type) pairs, ${SCRAPES} scrapes each\n`);
  console.log('| | size | lines | scrape p50 | scrape p99 |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, s] of rows)
    console.log(`| ${name} | ${kb(s.bytes)} | ${s.series} | ${ms(s.p50)} | ${ms(s.p99)} |`);
  const ratio = (a: number, b: number) => (a / b).toFixed(1);
  console.log(
    `\nratios to the floor: size before ×${ratio(unbounded.loaded.bytes, bounded.floor.bytes)}, ` +
      `after ×${ratio(bounded.loaded.bytes, bounded.floor.bytes)}; ` +
      `scrape p50 before ×${ratio(unbounded.loaded.p50, bounded.floor.p50)}, ` +
      `after ×${ratio(bounded.loaded.p50, bounded.floor.p50)}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
