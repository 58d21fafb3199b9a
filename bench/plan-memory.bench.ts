// Memory of replay plans: loads BENCH_EVENTS events (default 50,000) of one source straight into the
// index, then runs six dry-run plans of all of them at once through the HTTP API, one per investigator
// key, sampling this process's RSS (the app runs in it) every 20 ms. Prints RSS before, at peak and
// after, next to the floor a plan that held its selection would need at the very least: the
// selection's bytes as NDJSON, six times. Then shows the per-caller cap: six plans from one key.
// Run: npm run build && node --expose-gc dist/bench/plan-memory.bench.js
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DynamoTable, readLimitsOf } from '../src/shared/aws/dynamo-table';
import { PageCursors } from '../src/shared/paging/page-cursor';
import { Retention } from '../src/shared/retention/retention';
import { eventItem } from '../src/shared/events/dynamo-event-index';
import { EventRecord } from '../src/shared/events/event-index';
import { toEntry } from '../src/replay/replay-manifest';
import { benchRecord, putItems, startBench } from './bench-support';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const PLANS = 6;
const LOAD_CHUNK = 2000;
const DAY = '2026-11-10';
const keys = Array.from({ length: PLANS }, (_, i) => `investigator-${i}-${randomBytes(8).toString('hex')}`);

const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(0)} MB`;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Events `from` to `to` (exclusive) of the history: one source, five types, one a second. */
function history(from: number, to: number): EventRecord[] {
  const start = Date.parse(`${DAY}T00:00:00Z`);
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    const at = new Date(start + i * 1000).toISOString();
    return benchRecord(i, at, { type: `t${i % 5}`, entity_id: `order-${i % 5000}`, size_bytes: 300 });
  });
}

async function main(): Promise<void> {
  const bench = await startBench('plan-memory', {
    API_KEYS: keys.map((k) => `investigator:${k}`).join(','),
    REPLAY_MAX_EVENTS: String(Math.max(EVENTS, 100_000)),
    // Six plans of 50,000 on a laptop's emulator can take longer than the default ceiling.
    REQUEST_TIMEOUT_MS: '300000',
  });
  try {
    gc();
    const booted = process.memoryUsage().rss;
    // Loaded in chunks, so the load itself does not leave the heap large before the measurement.
    const table = new DynamoTable(
      bench.clients.dynamo,
      bench.env.PIPESCOPE_TABLE,
      readLimitsOf(bench.env),
      PageCursors.fromEnv(bench.env),
    );
    let selectionBytes = 0;
    const loadStarted = performance.now();
    for (let i = 0; i < EVENTS; i += LOAD_CHUNK) {
      const chunk = history(i, Math.min(EVENTS, i + LOAD_CHUNK));
      selectionBytes += chunk.reduce((n, e) => n + JSON.stringify(toEntry(e)).length + 1, 0);
      await putItems(
        table,
        chunk.map((e) => eventItem(e, Retention.forever())),
        16,
      );
    }
    console.log(`loaded ${EVENTS} events in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
    gc();
    const loaded = process.memoryUsage().rss;

    const plan = async (key: string): Promise<{ status: number; matched?: number; ms: number }> => {
      const started = performance.now();
      const res = await fetch(`${bench.baseUrl}/replay`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          dry_run: true,
          max_events: EVENTS,
          filter: { source: 'bench-src', from: `${DAY}T00:00:00Z`, to: `${DAY}T23:59:59Z` },
          reason: 'memory bench',
        }),
      });
      const body = (await res.json()) as { matched?: number };
      return { status: res.status, matched: body.matched, ms: performance.now() - started };
    };

    // Warm the code paths once, so the first measured plans do not pay for compilation.
    const single = await plan(keys[0]);
    console.log(`one plan of ${single.matched} events alone: ${(single.ms / 1000).toFixed(1)} s`);
    gc();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const results = await Promise.all(keys.map(plan));
    clearInterval(sampler);
    const afterNoGc = process.memoryUsage().rss;
    gc();
    const after = process.memoryUsage().rss;
    for (const r of results) {
      if (r.status !== 200 || r.matched !== EVENTS) throw new Error(`plan answered ${JSON.stringify(r)}`);
    }
    const floor = PLANS * selectionBytes;
    console.log(
      JSON.stringify(
        {
          events: EVENTS,
          concurrent_plans: PLANS,
          plan_seconds_max: Math.max(...results.map((r) => r.ms)) / 1000,
          rss_after_boot: mb(booted),
          rss_after_load: mb(loaded),
          rss_before: mb(before),
          rss_peak: mb(peak),
          rss_after: mb(afterNoGc),
          rss_after_gc: mb(after),
          peak_growth: mb(peak - before),
          held_selections_floor: mb(floor),
          peak_growth_over_floor: Math.round(((peak - before) / floor) * 100) / 100,
        },
        null,
        2,
      ),
    );

    const capped = await Promise.all(Array.from({ length: PLANS }, () => plan(keys[1])));
    const statuses = capped.map((r) => r.status).sort();
    console.log(
      `six plans from one key (REPLAY_MAX_PLANS_PER_CALLER=${bench.env.REPLAY_MAX_PLANS_PER_CALLER}): ${statuses.join(' ')}`,
    );
  } finally {
    await bench.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
