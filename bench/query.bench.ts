// Query benchmark: loads 100k index items (and their hourly counters) into an in-memory DynamoDB
// Local, then measures p50/p99 of an entity timeline and of /stats through the whole app over HTTP,
// next to the bare DynamoDB Query doing the same read in the same run; the ratio is app / floor.
// Run: npm run bench:query   (env: BENCH_EVENTS, BENCH_REQUESTS to change the sizes)
import 'reflect-metadata';
import { PageCursors } from '../src/shared/paging/page-cursor';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { createApp } from '../src/app.factory';
import { bootStorage } from '../src/bootstrap';
import { createAwsClients, destroyAwsClients } from '../src/shared/aws/aws-clients';
import { eventItem } from '../src/shared/events/dynamo-event-index';
import { DynamoTable, readLimitsOf } from '../src/shared/aws/dynamo-table';
import { DynamoIngestStatsStore } from '../src/shared/ingest-stats/dynamo-ingest-stats-store';
import { Retention } from '../src/shared/retention/retention';
import { EventRecord } from '../src/shared/events/event-index';
import { hourOf, hoursOf, keys } from '../src/shared/aws/table-keys';
import { freePort } from '../src/shared/local/local-stack';
import { bucketIndex } from '../src/shared/metrics/lag-histogram';
import { BenchClient, benchEnv, median, putItems, runtimeLine } from './bench-support';
import { mapLimit } from '../src/shared/async/map-limit';
import { CounterDelta, emptyCounterDelta } from '../src/shared/ingest-stats/ingest-stats-store';
import { fixedShards } from '../src/shared/shards/shard-counts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
/** Timeline requests per round: p99 of 1,000 is the tenth slowest, not the third (of 300) as it was. */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
/** Rounds of the timeline pair; the figure is the median ratio. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** /stats reads 25 hourly partitions per request, so it gets fewer samples (p99 of 100 is the 99th). */
const STATS_REQUESTS = Number(process.env.BENCH_STATS_REQUESTS ?? 100);
const WARMUP = 20;
const PER_ENTITY = 20;
const SOURCES = 20;
const TYPES = 5;
const LATE_MS = 300_000;

/** A deterministic pseudo-random sequence, so every run loads the same shape. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function history(now: number): EventRecord[] {
  const random = rng(42);
  const events: EventRecord[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const entity = Math.floor(i / PER_ENTITY);
    const received = now - Math.floor(random() * 23.5 * 3_600_000);
    // Mostly sub-second lags, a few percent late by minutes to hours.
    const lag = random() < 0.03 ? LATE_MS + Math.floor(random() * 7_200_000) : Math.floor(random() * 2000);
    const id = randomBytes(16).toString('hex');
    events.push({
      event_id: id,
      source: `src-${String(entity % SOURCES).padStart(2, '0')}`,
      type: `t${i % TYPES}`,
      entity_id: `ent-${entity}`,
      occurred_at: new Date(received - lag).toISOString(),
      received_at: new Date(received).toISOString(),
      lag_ms: lag,
      late: lag > LATE_MS,
      future: false,
      payload_sha256: randomBytes(32).toString('hex'),
      size_bytes: 200 + Math.floor(random() * 800),
      s3_key: `raw/bench/${id}.json`,
      request_id: `bench-${i}`,
      duplicate_count: 0,
      conflict_count: 0,
    });
  }
  return events;
}

function counters(events: EventRecord[]): CounterDelta[] {
  const rows = new Map<string, CounterDelta>();
  for (const e of events) {
    const hour = hourOf(e.received_at);
    const key = `${hour}|${e.source}|${e.type}`;
    let d = rows.get(key);
    if (!d) {
      d = emptyCounterDelta(e.source, e.type, hour);
      rows.set(key, d);
    }
    d.received += 1;
    d.accepted += 1;
    d.late += e.late ? 1 : 0;
    d.bytes += e.size_bytes;
    d.lag_buckets[bucketIndex(e.lag_ms)] += 1;
    d.lag_sum_ms += e.lag_ms;
    d.lag_max_ms = Math.max(d.lag_max_ms, e.lag_ms);
  }
  return [...rows.values()];
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

interface Figures {
  label: string;
  p50: number;
  p99: number;
}

const summary = (label: string, times: number[]): Figures => {
  const sorted = [...times].sort((a, b) => a - b);
  return { label, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
};

/** Checks an answer once its time is taken: the bench's own work is not the app's latency. */
type Check = () => void;

/**
 * Times the floor and the app on the same inputs, alternating request by request, so a busy machine
 * (other processes on the same cores) weighs on both alike. Each side's clock stops when its answer is
 * in; a side may return a Check of that answer, run outside the clock.
 */
async function measurePair(
  labels: [string, string],
  requests: number,
  floor: (i: number) => Promise<Check | void>,
  app: (i: number) => Promise<Check | void>,
): Promise<[Figures, Figures]> {
  const warmup = Math.min(WARMUP, requests);
  for (let i = 0; i < warmup; i++) {
    (await floor(i))?.();
    (await app(i))?.();
  }
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < requests; i++) {
    for (const [k, run] of [floor, app].entries()) {
      const start = performance.now();
      const check = await run(i);
      times[k].push(performance.now() - start);
      check?.();
    }
  }
  return [summary(labels[0], times[0]), summary(labels[1], times[1])];
}

/**
 * Writes the history and its counter rows; returns how many counter rows. The records are dropped once
 * written: 100k of them left in this process's heap would slow every major GC of the app measured here.
 */
async function load(table: DynamoTable, counterShards: number): Promise<number> {
  const started = performance.now();
  const events = history(Date.now());
  await putItems(
    table,
    events.map((e) => eventItem(e, Retention.forever())),
    16,
  );
  const rows = counters(events);
  await new DynamoIngestStatsStore(table, {
    shards: fixedShards(counterShards),
    writer: 'bench',
  }).addCounters(rows);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `loaded ${events.length} events and ${rows.length} counter rows in ${seconds.toFixed(1)} s ` +
      `(${Math.round(events.length / seconds)} items/s)`,
  );
  return rows.length;
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`pipescope query bench: ${runtimeLine()}`);
  const storage = await bootStorage(benchEnv('query', { LOG_LEVEL: 'silent' }), { emulators: 'temporary' });
  try {
    const { env } = storage;
    const clients = createAwsClients(env);

    const table = new DynamoTable(
      clients.dynamo,
      env.PIPESCOPE_TABLE,
      readLimitsOf(env),
      PageCursors.fromEnv(env),
    );
    const counterRows = await load(table, env.COUNTER_SHARDS);

    const app = await createApp(env);
    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${port}`;
    const entities = Math.floor(EVENTS / PER_ENTITY);
    const entityOf = (i: number) => `ent-${(i * 7919) % entities}`;
    const client = new BenchClient(base);
    // The clock stops at the answer's last byte; the answer is checked after (a Check).
    const get = async (path: string, expectItems?: number): Promise<Check> => {
      const res = await client.send('GET', path);
      return () => {
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
        const body = JSON.parse(res.text) as { items?: unknown[] };
        if (expectItems !== undefined && body.items?.length !== expectItems) {
          throw new Error(`${path}: ${body.items?.length} items, expected ${expectItems}`);
        }
      };
    };

    // Entity timeline: one Query on gsi1 (the app asks for limit+1 items to know whether more follow).
    // One whole round first, not reported (r = -1), as the other benches warm up: 20 pairs are little
    // for the app's path (docs/benchmarks.md). It reads entities no reported round reads while
    // (ROUNDS + 1) * REQUESTS <= EVENTS / PER_ENTITY (4,000 <= 5,000 by default).
    const timeline: [Figures, Figures][] = [];
    for (let r = -1; r < ROUNDS; r++) {
      const at = (i: number) => entityOf((r < 0 ? ROUNDS : r) * REQUESTS + i);
      const round = await measurePair(
        [`entity timeline, run ${r + 1}: bare Query`, `entity timeline, run ${r + 1}: GET /events?entity_id`],
        REQUESTS,
        async (i) => {
          const out = await clients.dynamo.send(
            new QueryCommand({
              TableName: env.PIPESCOPE_TABLE,
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
              ExpressionAttributeValues: {
                ':pk': keys.entity(at(i)),
                ':from': '0000-01-01T00:00:00.000Z',
                ':to': '9999-12-31T23:59:59.999Z#~',
              },
              Limit: 101,
            }),
          );
          return () => {
            if (out.Items?.length !== PER_ENTITY) throw new Error('unexpected entity size');
          };
        },
        (i) => get(`/events?entity_id=${at(i)}`, PER_ENTITY),
      );
      if (r >= 0) timeline.push(round);
    }

    // Stats over the last 24 h: one Query per hour and counter shard (25 x COUNTER_SHARDS), 16 at a time,
    // as the repository does.
    const [floorStats, appStats] = await measurePair(
      ['stats 24 h: bare Queries (25 hours)', 'stats 24 h: GET /stats'],
      STATS_REQUESTS,
      async () => {
        const to = new Date().toISOString();
        const from = new Date(Date.now() - 86_400_000).toISOString();
        const partitions = hoursOf(from, to).flatMap((hour) =>
          Array.from({ length: env.COUNTER_SHARDS }, (_, shard) => keys.counterPartition(hour, shard)),
        );
        const got = await mapLimit(partitions, 16, async (pk) => {
          let n = 0;
          let start: Record<string, unknown> | undefined;
          do {
            const out = await clients.dynamo.send(
              new QueryCommand({
                TableName: env.PIPESCOPE_TABLE,
                KeyConditionExpression: 'pk = :pk',
                ExpressionAttributeValues: { ':pk': pk },
                ExclusiveStartKey: start,
              }),
            );
            n += out.Items?.length ?? 0;
            start = out.LastEvaluatedKey;
          } while (start);
          return n;
        });
        return () => {
          if (got.reduce((a, b) => a + b, 0) !== counterRows) throw new Error('unexpected counter rows');
        };
      },
      () => get('/stats'),
    );

    client.close();
    await app.close();
    destroyAwsClients(clients);

    const ms = (n: number) => `${n.toFixed(2)} ms`;
    console.log(
      `\n${EVENTS} events in the table; ${ROUNDS} x ${REQUESTS} entity and ${STATS_REQUESTS} stats requests, one at a ` +
        `time, floor and app alternating (after one unreported round of timelines and ${WARMUP} warm-up pairs per round)`,
    );
    console.log('| read | p50 | p99 |\n| --- | --- | --- |');
    for (const m of [...timeline.flat(), floorStats, appStats]) {
      console.log(`| ${m.label} | ${ms(m.p50)} | ${ms(m.p99)} |`);
    }
    const ratio = (a: { p50: number; p99: number }, f: { p50: number; p99: number }) =>
      `p50 x${(a.p50 / f.p50).toFixed(2)}, p99 x${(a.p99 / f.p99).toFixed(2)}`;
    const runs = (q: 'p50' | 'p99') => timeline.map(([f, a]) => a[q] / f[q]);
    for (const q of ['p50', 'p99'] as const) {
      console.log(
        `\nratio app/floor: entity timeline ${q} over ${ROUNDS} runs ` +
          `${runs(q)
            .map((x) => x.toFixed(2))
            .join(', ')}; median x${median(runs(q)).toFixed(2)}`,
      );
    }
    console.log(`ratio app/floor: stats ${ratio(appStats, floorStats)}`);
    console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await storage.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
