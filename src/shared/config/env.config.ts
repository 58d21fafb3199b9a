// The one validated view of the environment. process.env is read here and nowhere else.
import { parseApiKeys } from '../auth/api-keys';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
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
  @IsOptional() @IsString() HOST: string = '0.0.0.0';
  @IsOptional() @IsIn(['local', 'aws']) PIPESCOPE_MODE: Mode = 'local';
  @IsOptional() @IsString() DATA_DIR: string = './.data';
  @IsOptional() @IsString() AWS_REGION: string = 'us-east-1';
  @IsOptional() @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/) PIPESCOPE_BUCKET: string = 'pipescope-local';
  @IsOptional() @Matches(/^[A-Za-z0-9_.-]{3,255}$/) PIPESCOPE_TABLE: string = 'pipescope';
  @IsOptional() @Matches(/^[A-Za-z0-9_-]{1,75}$/) PIPESCOPE_QUEUE: string = 'pipescope-replay';
  /** Comma-separated `role:key` pairs; see auth/api-keys.ts. */
  @IsOptional() @IsString() API_KEYS?: string;
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
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) LATE_THRESHOLD_MS: number = 300000;
  /** Per-source late thresholds, `source:ms` pairs, comma-separated. */
  @IsOptional() @Matches(/^([a-z0-9][a-z0-9._-]*:\d+)(,[a-z0-9][a-z0-9._-]*:\d+)*$/) LATE_THRESHOLDS?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(3600000) METRICS_FLUSH_MS: number = 60000;
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
  /** Replays waiting for a slot; one more answers 429. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(1000) REPLAY_MAX_QUEUED: number = 20;
  /** `rate_per_second` when a request leaves it out. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000) REPLAY_DEFAULT_RATE: number = 100;
  /** Highest `rate_per_second` a replay may ask for. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000000) REPLAY_MAX_RATE: number = 10000;
  /** How long a runner's claim on a job lasts without a checkpoint before another instance may resume it. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(3600000) REPLAY_LEASE_MS: number = 30000;
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

  get deadLetterQueue(): string {
    return `${this.PIPESCOPE_QUEUE}-dlq`;
  }

  get replayAllowedQueues(): string[] {
    return this.REPLAY_ALLOWED_QUEUES ? this.REPLAY_ALLOWED_QUEUES.split(',') : [this.PIPESCOPE_QUEUE];
  }
}

export const ENV_KEYS: readonly string[] = [
  'PORT',
  'HOST',
  'PIPESCOPE_MODE',
  'DATA_DIR',
  'AWS_REGION',
  'PIPESCOPE_BUCKET',
  'PIPESCOPE_TABLE',
  'PIPESCOPE_QUEUE',
  'API_KEYS',
  'LOG_LEVEL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SQS',
  'S3_FORCE_PATH_STYLE',
  'HEALTH_TIMEOUT_MS',
  'STORAGE_TIMEOUT_MS',
  'REQUEST_TIMEOUT_MS',
  'READ_MAX_ROUND_TRIPS',
  'READ_MAX_ITEMS',
  'READ_MAX_MS',
  'INGEST_MAX_EVENT_BYTES',
  'INGEST_MAX_BATCH_BYTES',
  'LATE_THRESHOLD_MS',
  'LATE_THRESHOLDS',
  'METRICS_FLUSH_MS',
  'QUEUE_MAX_RECEIVE_COUNT',
  'QUEUE_VISIBILITY_TIMEOUT_S',
  'REPLAY_MAX_EVENTS',
  'REPLAY_MAX_WINDOW_DAYS',
  'REPLAY_ALLOWED_QUEUES',
  'REPLAY_MAX_RUNNING',
  'REPLAY_MAX_QUEUED',
  'REPLAY_DEFAULT_RATE',
  'REPLAY_MAX_RATE',
  'REPLAY_LEASE_MS',
  'REPLAY_POLL_MS',
  'PROCESSOR_ENABLED',
  'PROCESSOR_BATCH_SIZE',
  'PROCESSOR_CONCURRENCY',
  'PROCESSOR_WAIT_TIME_S',
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
  if (env.API_KEYS) {
    try {
      parseApiKeys(env.API_KEYS);
    } catch (err) {
      problems.push((err as Error).message);
    }
  } else if (env.PIPESCOPE_MODE === 'aws') {
    problems.push('API_KEYS: required when PIPESCOPE_MODE=aws (auth cannot be switched off in aws mode)');
  }
  // A read's last round trip may start just before READ_MAX_MS and take STORAGE_TIMEOUT_MS.
  if (env.READ_MAX_MS + env.STORAGE_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
    problems.push(
      `REQUEST_TIMEOUT_MS=${env.REQUEST_TIMEOUT_MS}: must be at least READ_MAX_MS + STORAGE_TIMEOUT_MS (${env.READ_MAX_MS} + ${env.STORAGE_TIMEOUT_MS}), so a read can answer its partial page and a storage call can time out on its own`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  env.S3_FORCE_PATH_STYLE ??= env.PIPESCOPE_MODE === 'local';
  return env;
}
