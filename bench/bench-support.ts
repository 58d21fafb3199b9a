// Shared set-up for the benchmark scripts: emulators started in-process for the run, unique
// resources, the app on a free port, and exact latency percentiles.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootApp } from '../src/bootstrap';
import { createAwsClients, destroyAwsClients, AwsClients } from '../src/shared/aws/aws-clients';
import { Env, validateEnv } from '../src/shared/config/env.config';
import type { EventRecord } from '../src/shared/events/event-index';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapLimit } from '../src/shared/async/map-limit';
import { backoffMs, DynamoTable, Item } from '../src/shared/aws/dynamo-table';
import { freePort } from '../src/shared/local/local-stack';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The V8 flags the service runs with (package.json config.node_flags: npm start, the Dockerfile). */
export function serviceNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
    config: { node_flags: string };
  };
  return pkg.config.node_flags.split(/\s+/).filter(Boolean);
}

/**
 * The runtime a bench measures, for its first line: the app runs in the bench's process, so the bench
 * must run with the service's flags (npm run bench:* does) or it measures another runtime; it says so.
 */
export function runtimeLine(): string {
  const missing = serviceNodeFlags().filter((flag) => !process.execArgv.includes(flag));
  const flags = process.execArgv.join(' ') || 'none';
  return missing.length === 0
    ? `node ${process.version}, flags ${flags} (as the service runs)`
    : `node ${process.version}, flags ${flags}: NOT the service's runtime, missing ${missing.join(' ')} ` +
        `(run it with npm run bench:*)`;
}

export interface BenchContext {
  env: Env;
  clients: AwsClients;
  app: NestFastifyApplication;
  baseUrl: string;
  close: () => Promise<void>;
}

/**
 * Loads items straight into the table with BatchWriteItem (25 per call, `parallel` calls at once),
 * writing unprocessed items again with backoff. Benches and tests only: the app never bulk-writes,
 * so its IAM grants do not include BatchWriteItem.
 */
export async function putItems(table: DynamoTable, items: Item[], parallel = 8): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await mapLimit(chunks, parallel, async (chunk) => {
    let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt));
      const out = await table.db.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending } }));
      pending = (out.UnprocessedItems?.[table.name] ?? []) as typeof pending;
    }
  });
}

/** An index record of source `bench-src`, received as it occurred at `at`, with random ids and hash. */
export function benchRecord(
  i: number,
  at: string,
  fields: Pick<EventRecord, 'type' | 'entity_id' | 'size_bytes'>,
): EventRecord {
  const id = randomBytes(16).toString('hex');
  return {
    event_id: id,
    source: 'bench-src',
    ...fields,
    occurred_at: at,
    received_at: at,
    lag_ms: 0,
    late: false,
    future: false,
    payload_sha256: randomBytes(32).toString('hex'),
    s3_key: `raw/source=bench-src/date=${at.slice(0, 10)}/hour=${at.slice(11, 13)}/${id}.json`,
    request_id: `bench-${i}`,
    duplicate_count: 0,
    conflict_count: 0,
  };
}

/** The config every bench starts from: local mode, unique resources, no auth, no EMF lines. */
export function benchEnv(label: string, overrides: Record<string, string> = {}): Env {
  const id = `bench-${label}-${randomBytes(3).toString('hex')}`;
  return validateEnv({
    PIPESCOPE_MODE: 'local',
    AWS_REGION: 'us-east-1',
    PIPESCOPE_BUCKET: id,
    PIPESCOPE_TABLE: id,
    PIPESCOPE_QUEUE: id,
    LOG_LEVEL: 'error',
    // No replay-queue consumer unless a bench asks: most measure another path.
    PROCESSOR_ENABLED: 'false',
    // The benchmark reads its own figures; EMF lines would only flood its output.
    METRICS_EMF_ENABLED: 'false',
    METRICS_FLUSH_MS: '3600000',
    ...overrides,
  });
}

/** Emulators started for this bench, the app on a free port. */
export async function startBench(
  label: string,
  overrides: Record<string, string> = {},
): Promise<BenchContext> {
  const { env, app, stop } = await bootApp(benchEnv(label, overrides), { emulators: 'temporary' });
  const clients = createAwsClients(env);
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  return {
    env,
    clients,
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      destroyAwsClients(clients);
      await stop();
    },
  };
}

/**
 * The load generator's HTTP client: node:http over kept-alive sockets. It shares the two cores with the
 * app and the emulators, and fetch (undici with web streams) costs the generator more CPU per request,
 * which would count against the app: the floor has no HTTP client at all.
 */
export class BenchClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(private readonly baseUrl: string) {}

  /** Sends a request and reads the whole answer; its status and body text. */
  send(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.baseUrl}${path}`,
        {
          method,
          agent: this.agent,
          headers:
            body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Exact percentile (nearest rank) of a list of samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The median of a list of figures (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Ways to choose k of n. */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let ways = 1;
  for (let i = 1; i <= k; i++) ways = (ways * (n - k + i)) / i;
  return Math.round(ways);
}

/**
 * Of every set of `k` of these runs (k odd), the share whose median is at least `goal`: how often an
 * invocation of `k` runs would meet the goal if its runs were drawn from these. Exact, no sampling:
 * such a median is at least `goal` exactly when more than half of the set is.
 */
export function shareOfMediansAtLeast(runs: readonly number[], k: number, goal: number): number {
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new Error(`k=${k}: an odd number of runs`);
  if (k > runs.length) return NaN;
  const meeting = runs.filter((r) => r >= goal).length;
  let sets = 0;
  for (let j = (k + 1) / 2; j <= k; j++) sets += choose(meeting, j) * choose(runs.length - meeting, k - j);
  return sets / choose(runs.length, k);
}

export interface RunStats {
  ops: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `count` operations with `concurrency` in flight; `units` says how many items one op carries. */
export async function run(
  count: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
  units = 1,
): Promise<RunStats> {
  const { latencies, seconds } = await timed(count, concurrency, op);
  return statsOf(latencies, seconds, count * units);
}

/** Latencies (ms) of a run of operations and its duration. */
export interface Timed {
  latencies: number[];
  seconds: number;
}

export async function timed(
  count: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<Timed> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

function statsOf(latencies: number[], seconds: number, units: number): RunStats {
  return {
    ops: latencies.length,
    seconds,
    perSecond: units / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/**
 * Runs `count` operations of the app and as many of the floor in alternating slices of `slice`
 * (app first, then floor first, ...), so load from other processes on a shared machine weighs on both
 * alike; each side's figures are over its own slices only. A side runs a slice: its operations
 * `start` to `start + n - 1`.
 */
export async function runInterleaved(
  count: number,
  slice: number,
  app: (start: number, n: number) => Promise<Timed>,
  floor: (start: number, n: number) => Promise<Timed>,
  units = 1,
): Promise<{ app: RunStats; floor: RunStats }> {
  const sides = [app, floor].map((run) => ({ run, latencies: [] as number[], seconds: 0 }));
  for (let start = 0, k = 0; start < count; start += slice, k++) {
    const n = Math.min(slice, count - start);
    for (const side of k % 2 === 0 ? sides : [...sides].reverse()) {
      const t = await side.run(start, n);
      side.latencies.push(...t.latencies);
      side.seconds += t.seconds;
    }
  }
  const [a, f] = sides.map((side) => statsOf(side.latencies, side.seconds, count * units));
  return { app: a, floor: f };
}

export const fmt = (n: number, digits = 1): string => n.toFixed(digits).padStart(9);

export function printRow(name: string, app: RunStats, floor: RunStats, unit: string): void {
  process.stdout.write(
    `${name.padEnd(28)} app ${fmt(app.perSecond)} ${unit}/s  p50 ${fmt(app.p50)} ms  p99 ${fmt(app.p99)} ms | ` +
      `floor ${fmt(floor.perSecond)} ${unit}/s  p50 ${fmt(floor.p50)} ms  p99 ${fmt(floor.p99)} ms | ` +
      `app/floor ${(app.perSecond / floor.perSecond).toFixed(2)}\n`,
  );
}
