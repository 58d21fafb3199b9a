// The one validated view of the environment. Only the entry points (main.ts, provision.ts, the Lambda
// handler) pass process.env to validateEnv; everything else receives the resulting Env.
import { parseApiKeys } from '../auth/api-keys';
import { retentionProblems } from '../retention/retention';
import { parseSigningSecrets } from '../auth/request-signing';
// The rule schema belongs to alerting; the environment variable is validated with it here, at boot.
import { parseRules } from '../../alerts/alert-rules';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsJSON,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  getMetadataStorage,
  validateSync,
} from 'class-validator';

export type Mode = 'local' | 'aws';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }): unknown =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;
const url = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

export class Env {
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT: number = 3000;
  /** Listen address; unset = all interfaces, or loopback only while auth is off (see listenHost). */
  @IsOptional() @IsString() HOST?: string;
  @IsOptional() @IsIn(['local', 'aws']) PIPESCOPE_MODE: Mode = 'local';
  @IsOptional() @IsString() DATA_DIR: string = './.data';
  @IsOptional() @IsString() AWS_REGION: string = 'us-east-1';
  @IsOptional() @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/) PIPESCOPE_BUCKET: string = 'pipescope-local';
  @IsOptional() @Matches(/^[A-Za-z0-9_.-]{3,255}$/) PIPESCOPE_TABLE: string = 'pipescope';
  @IsOptional() @Matches(/^[A-Za-z0-9_-]{1,75}$/) PIPESCOPE_QUEUE: string = 'pipescope-replay';
  /** Comma-separated `[id=]role:key[:sources]` entries; see auth/api-keys.ts. */
  @IsOptional() @IsString() API_KEYS?: string;
  /** Comma-separated `source:secret` pairs for HMAC-signed ingest; see auth/request-signing.ts. */
  @IsOptional() @IsString() SOURCE_SIGNING_SECRETS?: string;
  /** Requests per second each key may make (per instance); 0 = unlimited. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(1000000) RATE_LIMIT_REQUESTS_PER_S: number = 1000;
  /** Events per second each key may ingest or plan (per instance); 0 = unlimited. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(10000000) RATE_LIMIT_EVENTS_PER_S: number = 20000;
  /** Key that signs page cursors (at least 32 characters); see paging/page-cursor.ts for the default. */
  @IsOptional()
  @Matches(/^\S{32,}$/, { message: 'CURSOR_SECRET must be at least 32 characters, no spaces' })
  CURSOR_SECRET?: string;
  /** How long a page cursor stays valid. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(60) @Max(604800) CURSOR_TTL_S: number = 3600;
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL: LogLevel =
    'info';
  @IsOptional() @IsUrl(url) AWS_ENDPOINT_URL_S3?: string;
  @IsOptional() @IsUrl(url) AWS_ENDPOINT_URL_DYNAMODB?: string;
  @IsOptional() @IsUrl(url) AWS_ENDPOINT_URL_SQS?: string;
  /** Path-style S3 addressing; emulators need it. Defaults to true in local mode. */
  @IsOptional() @Transform(toBool) @IsBoolean() S3_FORCE_PATH_STYLE?: boolean;
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(60000) HEALTH_TIMEOUT_MS: number = 2000;
  /** Milliseconds one storage call may take, its retries included, before it counts as unavailable. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(120000) STORAGE_TIMEOUT_MS: number = 5000;
  /** Ceiling of any HTTP request: past it the answer is 503 REQUEST.TIMEOUT and its storage calls stop. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(600000) REQUEST_TIMEOUT_MS: number = 30000;
  /**
   * The read budget of one paged read (a page of /events, /late, /duplicates, /rejected, attempts):
   * round trips, items the store examines (filtered-out ones included; at least a full page of 1,000
   * plus one) and milliseconds. A read that spends it answers a partial page marked stopped_early.
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000) READ_MAX_ROUND_TRIPS: number = 100;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1001) @Max(10000000) READ_MAX_ITEMS: number = 20000;
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000) READ_MAX_MS: number = 10000;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) @Max(16777216) INGEST_MAX_EVENT_BYTES: number = 262144;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) @Max(67108864) INGEST_MAX_BATCH_BYTES: number = 5242880;
  /** Deepest nesting of an event's payload (the payload object itself is level 1). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100) INGEST_MAX_PAYLOAD_DEPTH: number = 32;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) LATE_THRESHOLD_MS: number = 300000;
  /** Per-source late thresholds, `source:ms` pairs, comma-separated. */
  @IsOptional() @Matches(/^([a-z0-9][a-z0-9._-]*:\d+)(,[a-z0-9][a-z0-9._-]*:\d+)*$/) LATE_THRESHOLDS?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(3600000) METRICS_FLUSH_MS: number = 60000;
  /**
   * How often an instance writes its stats counters and activity (at most one write per row per
   * interval); 0 writes at once and each ingest request waits for its counters (docs/ingest.md).
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(60000) COUNTER_FLUSH_MS: number = 1000;
  /**
   * Partitions each hour's counter rows are spread over (docs/scaling.md); readers query as many as
   * any instance has written with (recorded in the table, src/shared/shards/).
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(64) COUNTER_SHARDS: number = 1;
  /** gsi2 partitions each source's day of events is spread over (docs/scaling.md); read as COUNTER_SHARDS is. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(64) SOURCE_INDEX_SHARDS: number = 1;
  /** Label sets a metric with client-chosen labels (source, type) keeps; the rest count as `other`. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000000) METRICS_MAX_SERIES: number = 1000;
  /** A label set of such a metric not observed for this long leaves /metrics. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(2592000000) METRICS_SERIES_TTL_MS: number =
    86400000;
  /** GET /metrics needs a key (role investigator, operator or metrics) instead of being open. */
  @IsOptional() @Transform(toBool) @IsBoolean() METRICS_REQUIRE_KEY: boolean = false;
  /** Write CloudWatch EMF lines to stdout; the test suite and the benches switch it off. */
  @IsOptional() @Transform(toBool) @IsBoolean() METRICS_EMF_ENABLED: boolean = true;
  /** Receives before SQS moves a message to the dead-letter queue. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000) QUEUE_MAX_RECEIVE_COUNT: number = 5;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(43200) QUEUE_VISIBILITY_TIMEOUT_S: number = 30;
  /** Most events one replay may select (its `max_events` may not exceed this). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10000000) REPLAY_MAX_EVENTS: number = 100000;
  /** Widest from..to window a replay filter may span. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(3660) REPLAY_MAX_WINDOW_DAYS: number = 31;
  /** Queues a replay may target, comma-separated; unset = only PIPESCOPE_QUEUE. */
  @IsOptional() @Matches(/^[A-Za-z0-9_-]{1,80}(,[A-Za-z0-9_-]{1,80})*$/) REPLAY_ALLOWED_QUEUES?: string;
  /** Replays sending at once (all instances together); more are queued as `pending`. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100) REPLAY_MAX_RUNNING: number = 2;
  /** Selections (dry-run plans and creations) one caller may run at once per instance; more: 429. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100) REPLAY_MAX_PLANS_PER_CALLER: number = 2;
  /** Replays waiting for a slot; one more answers 429. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(1000) REPLAY_MAX_QUEUED: number = 20;
  /** `rate_per_second` when a request leaves it out. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000) REPLAY_DEFAULT_RATE: number = 100;
  /** Highest `rate_per_second` a replay may ask for. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000000) REPLAY_MAX_RATE: number = 10000;
  /**
   * Partitions a new replay job's progress (DONE markers and counts) is spread over, so one fast replay
   * has no hot partition (docs/scaling.md); fixed per job at creation.
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(256) REPLAY_PROGRESS_SHARDS: number = 64;
  /** How long a runner's claim on a job lasts without a checkpoint before another instance may resume it. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(3600000) REPLAY_LEASE_MS: number = 30000;
  /** SendMessageBatch calls one replay keeps in flight at once. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(64) REPLAY_SEND_CONCURRENCY: number = 4;
  /**
   * Manifest objects a replay's creation wrote, kept in memory (up to this many MiB) for this
   * instance's runner, so it does not read them back from S3 (manifest-store.ts); 0 keeps none.
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(4096) REPLAY_PART_CACHE_MB: number = 32;
  /**
   * The hard bound of the checkpoint interval, in batches: a runner never has more than this many
   * batches sent past its stored checkpoint, so a crash sends at most this many again. It checkpoints
   * every REPLAY_CHECKPOINT_MS, or sooner when half of this is acknowledged; each checkpoint is a
   * DynamoDB write on the replay's main thread, and 100 lowered the bench's ratio by 0.06 on average.
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10000) REPLAY_CHECKPOINT_BATCHES: number = 1000;
  /** ...and at least this often while it sends (renewing its lease); below REPLAY_LEASE_MS / 2. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000) REPLAY_CHECKPOINT_MS: number = 1000;
  /** How often each instance looks for queued jobs and jobs whose runner died. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000) REPLAY_POLL_MS: number = 5000;
  /** Run the replay-queue consumer in this process; false for API-only deployments. */
  @IsOptional() @Transform(toBool) @IsBoolean() PROCESSOR_ENABLED: boolean = true;
  /** Messages per ReceiveMessage call (SQS allows 1 to 10). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10) PROCESSOR_BATCH_SIZE: number = 10;
  /** Batches the consumer processes at once (each batch's messages run in parallel). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100) PROCESSOR_CONCURRENCY: number = 4;
  /** Long-poll wait of each receive, kept under STORAGE_TIMEOUT_MS (the SQS client's request timeout). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(20) PROCESSOR_WAIT_TIME_S: number = 4;
  /**
   * Aggregators the processor runs, comma-separated: built-in names (`entity_hour`) or module paths
   * (holding a `/`, relative to the working directory) exporting aggregators (docs/extending.md).
   */
  @IsOptional()
  @Matches(/^[^,\s]{1,500}(,[^,\s]{1,500}){0,19}$/, {
    message: 'PROCESSOR_AGGREGATORS must be up to 20 comma-separated names or module paths, no spaces',
  })
  PROCESSOR_AGGREGATORS: string = 'entity_hour';
  /** Widest window one reconcile job may cover. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(3660) RECONCILE_MAX_WINDOW_DAYS: number = 31;
  /** How long a reconcile runner's claim on a job lasts without a checkpoint (crash takeover). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(3600000) RECONCILE_LEASE_MS: number = 60000;
  /** How often each instance looks for queued reconcile jobs and jobs whose runner died. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000) RECONCILE_POLL_MS: number = 10000;
  /** Raw objects younger than this are not judged: their index claim may still be on its way. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(86400000) RECONCILE_SETTLE_MS: number = 900000;
  /** Retention in days per kind of stored data; 0 keeps it forever. See docs/operations.md. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(36500) RETENTION_EVENTS_DAYS: number = 0;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(36500) RETENTION_RAW_DAYS: number = 0;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(36500) RETENTION_ATTEMPTS_DAYS: number = 90;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(36500) RETENTION_REJECTED_DAYS: number = 90;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(36500) RETENTION_REPLAY_MANIFESTS_DAYS: number = 90;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(36500) RETENTION_LINEAGE_DAYS: number = 0;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(36500) RETENTION_DONE_MARKERS_DAYS: number = 15;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(36500) RETENTION_RECONCILE_DAYS: number = 90;

  /** Run the alert evaluator in this process (one instance at a time evaluates, under a lease). */
  @IsOptional() @Transform(toBool) @IsBoolean() ALERTS_ENABLED: boolean = true;
  /** How often the evaluator runs; its lease lasts three intervals. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(3600000) ALERTS_INTERVAL_MS: number = 60000;
  /** Where alert notifications are POSTed as JSON; unset = logged and metered only. */
  @IsOptional() @IsUrl(url) ALERTS_WEBHOOK_URL?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(60000) ALERTS_WEBHOOK_TIMEOUT_MS: number = 5000;
  /** Default rules as JSON (an array, or { "rules": [...] }); PUT /alerts/rules overrides them. */
  @IsOptional() @IsJSON() ALERTS_RULES?: string;
  /** Base URL of the links in notifications; defaults to http://localhost:PORT. */
  @IsOptional() @IsUrl(url) ALERTS_LINK_BASE_URL?: string;
  /** Days a resolved alert is kept (DynamoDB TTL). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(3650) ALERTS_HISTORY_DAYS: number = 30;

  /** How long an instance trusts what it read of a (source, type)'s payload schemas. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(3600000) SCHEMAS_CACHE_TTL_MS: number = 30000;

  /** LATE_THRESHOLDS parsed (source to milliseconds), filled in by validateEnv. */
  lateThresholds: ReadonlyMap<string, number> = new Map();

  /** How late an event of `source` may arrive before it counts as late. */
  lateThresholdMs(source: string): number {
    return this.lateThresholds.get(source) ?? this.LATE_THRESHOLD_MS;
  }

  /** Where to listen: HOST when set; without it all interfaces, or loopback only while auth is off. */
  get listenHost(): string {
    return this.HOST ?? (this.API_KEYS ? '0.0.0.0' : '127.0.0.1');
  }

  get deadLetterQueue(): string {
    return `${this.PIPESCOPE_QUEUE}-dlq`;
  }

  get alertsLinkBase(): string {
    return (this.ALERTS_LINK_BASE_URL ?? `http://localhost:${this.PORT}`).replace(/\/+$/, '');
  }

  get processorAggregators(): string[] {
    return this.PROCESSOR_AGGREGATORS.split(',');
  }

  get replayAllowedQueues(): string[] {
    return this.REPLAY_ALLOWED_QUEUES ? this.REPLAY_ALLOWED_QUEUES.split(',') : [this.PIPESCOPE_QUEUE];
  }
}

/** Every variable the Env class declares, read from its validation decorators (each has at least one). */
export const ENV_KEYS: readonly string[] = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(Env, '', true, false)
      .map((m) => m.propertyName),
  ),
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function validateEnv(raw: Record<string, unknown>): Env {
  const known = new Set(ENV_KEYS);
  const present = Object.fromEntries(
    Object.entries(raw).filter(([k, v]) => known.has(k) && v !== undefined && v !== ''),
  );
  const env = plainToInstance(Env, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { whitelist: false, skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map(
        (e) => `${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`,
      ),
    );
  }
  const problems: string[] = [];
  const check = (parse: () => unknown): void => {
    try {
      parse();
    } catch (err) {
      problems.push((err as Error).message);
    }
  };
  if (env.API_KEYS) check(() => parseApiKeys(env.API_KEYS!));
  else if (env.PIPESCOPE_MODE === 'aws') {
    problems.push('API_KEYS: required when PIPESCOPE_MODE=aws (auth cannot be switched off in aws mode)');
  } else if (env.METRICS_REQUIRE_KEY) {
    problems.push('METRICS_REQUIRE_KEY: needs API_KEYS (with auth off there is no key to require)');
  }
  problems.push(...retentionProblems(env));
  // A read's last round trip may start just before READ_MAX_MS and take STORAGE_TIMEOUT_MS.
  if (env.READ_MAX_MS + env.STORAGE_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
    problems.push(
      `REQUEST_TIMEOUT_MS=${env.REQUEST_TIMEOUT_MS}: must be at least READ_MAX_MS + STORAGE_TIMEOUT_MS (${env.READ_MAX_MS} + ${env.STORAGE_TIMEOUT_MS}), so a read can answer its partial page and a storage call can time out on its own`,
    );
  }
  // The replay consumer's long poll lasts at least a second, inside one storage call's deadline.
  if (env.PROCESSOR_ENABLED && env.STORAGE_TIMEOUT_MS < 1500) {
    problems.push(
      `STORAGE_TIMEOUT_MS=${env.STORAGE_TIMEOUT_MS}: at least 1500 while PROCESSOR_ENABLED, so the queue's 1-second long poll fits in it`,
    );
  }
  // A runner renews its lease with its checkpoints: at least two of them fit in one lease.
  if (env.REPLAY_CHECKPOINT_MS * 2 > env.REPLAY_LEASE_MS) {
    problems.push(
      `REPLAY_CHECKPOINT_MS=${env.REPLAY_CHECKPOINT_MS}: at most half of REPLAY_LEASE_MS (${env.REPLAY_LEASE_MS}), so a runner renews its lease before it runs out`,
    );
  }
  if (env.ALERTS_RULES) {
    const parsed = parseRules(JSON.parse(env.ALERTS_RULES));
    if ('problems' in parsed)
      problems.push(...parsed.problems.map((p) => `ALERTS_RULES: ${p.field}: ${p.message}`));
  }
  if (env.SOURCE_SIGNING_SECRETS) check(() => parseSigningSecrets(env.SOURCE_SIGNING_SECRETS!));
  if (problems.length > 0) throw new ConfigError(problems);
  env.S3_FORCE_PATH_STYLE ??= env.PIPESCOPE_MODE === 'local';
  env.lateThresholds = new Map(
    (env.LATE_THRESHOLDS ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [source, ms] = pair.split(':');
        return [source, Number(ms)] as const;
      }),
  );
  return env;
}

/** A copy of `env` with some variables changed, validated again. */
export function withOverrides(env: Env, overrides: Record<string, unknown>): Env {
  return validateEnv({ ...env, ...overrides });
}
