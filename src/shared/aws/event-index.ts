// Port for the event index (one DynamoDB table, single-table design; see docs/data-model.md).
// Methods speak the domain and return domain types; SDK types never leave the implementation.
import { emptyBuckets } from '../metrics/lag-histogram';

export interface EventRecord {
  event_id: string;
  source: string;
  type: string;
  entity_id: string;
  occurred_at: string;
  received_at: string;
  lag_ms: number;
  late: boolean;
  future: boolean;
  sequence?: number;
  idempotency_key?: string;
  schema_version?: string;
  payload_sha256: string;
  size_bytes: number;
  s3_key: string;
  /** Inclusive byte range of this event inside a batch object; absent for a single-event object. */
  s3_range?: [number, number];
  request_id: string;
  duplicate_count: number;
  conflict_count: number;
  first_duplicate_at?: string;
  last_duplicate_at?: string;
}

export type AttemptKind = 'duplicate' | 'conflict';

export interface Attempt {
  event_id: string;
  source: string;
  kind: AttemptKind;
  received_at: string;
  payload_sha256: string;
  request_id: string;
  /** Where the conflicting body was kept (rejected/ object), for conflicts. */
  s3_key?: string;
}

export interface RepeatResult {
  /** The event as stored, after this repeat was counted. */
  event: EventRecord;
  /** Whether the attempt itself was kept (only the first ATTEMPTS_KEPT are). */
  attemptKept: boolean;
}

export interface RejectedRecord {
  rejection_id: string;
  source?: string;
  received_at: string;
  request_id: string;
  reason: 'validation' | 'conflict';
  errors: { field: string; message: string }[];
  s3_key: string;
  size_bytes: number;
  /** The body as text when small enough to keep in the index; otherwise read it from s3_key. */
  raw?: string;
  event_id?: string;
}

/** Fixed lag histogram: counts per bucket, bucket i holding lags <= LAG_BUCKETS_MS[i] (last: +Inf). */
export interface CounterDelta {
  source: string;
  type: string;
  /** UTC hour, `YYYY-MM-DDTHH`. */
  hour: string;
  received: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  late: number;
  future: number;
  bytes: number;
  lag_buckets: number[];
  lag_sum_ms: number;
  lag_max_ms: number;
}

export type CounterRow = CounterDelta;

/** A counter row with every count at zero, to add observations to. */
export function emptyCounterDelta(source: string, type: string, hour: string): CounterDelta {
  return {
    source,
    type,
    hour,
    received: 0,
    accepted: 0,
    duplicates: 0,
    conflicts: 0,
    rejected: 0,
    late: 0,
    future: 0,
    bytes: 0,
    lag_buckets: emptyBuckets(),
    lag_sum_ms: 0,
    lag_max_ms: 0,
  };
}

export interface TimeWindow {
  from: string;
  to: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export const ATTEMPTS_KEPT = 100;

export abstract class EventIndex {
  /** Conditional put of a new event; `existing` is the stored item when the id was already claimed. */
  abstract claim(event: EventRecord): Promise<{ claimed: true } | { claimed: false; existing: EventRecord }>;
  /** Counts a duplicate or conflicting resubmission against a stored event and keeps the attempt. */
  abstract recordRepeat(attempt: Attempt): Promise<RepeatResult>;
  abstract getEvent(eventId: string): Promise<EventRecord | undefined>;
  /** Several events by id (BatchGetItem); ids not found are absent from the map. */
  abstract getEvents(eventIds: string[]): Promise<Map<string, EventRecord>>;
  abstract attempts(eventId: string, page: PageRequest): Promise<Page<Attempt>>;
  abstract putRejected(rejected: RejectedRecord): Promise<void>;
  /** Adds counter deltas: one UpdateItem per (source, type, hour) row. */
  abstract addCounters(deltas: CounterDelta[]): Promise<void>;
  /** Marks the minutes (of received_at) in which each source sent anything, for gap detection. */
  abstract markActivity(minutes: { source: string; day: string; minutes: number[] }[]): Promise<void>;

  abstract eventsOfEntity(
    entityId: string,
    window: TimeWindow,
    order: 'asc' | 'desc',
    page: PageRequest,
  ): Promise<Page<EventRecord>>;
  abstract eventsOfSource(
    source: string,
    type: string | undefined,
    window: TimeWindow,
    page: PageRequest,
  ): Promise<Page<EventRecord>>;
  /** An entity's events of one source that carry a `sequence`, by occurred_at (gsi1, filtered). */
  abstract sequencedEventsOfEntity(
    entityId: string,
    source: string,
    page: PageRequest,
  ): Promise<Page<EventRecord>>;
  /** Late arrivals by received_at; `minLagMs` keeps only lags at or above it. */
  abstract lateEvents(
    source: string,
    window: TimeWindow,
    page: PageRequest,
    minLagMs?: number,
  ): Promise<Page<EventRecord>>;
  abstract duplicatedEvents(
    source: string,
    window: TimeWindow,
    page: PageRequest,
  ): Promise<Page<EventRecord>>;
  abstract conflicts(source: string, window: TimeWindow, page: PageRequest): Promise<Page<Attempt>>;
  abstract rejected(
    source: string | undefined,
    window: TimeWindow,
    page: PageRequest,
  ): Promise<Page<RejectedRecord>>;
  abstract counters(hours: string[], source?: string): Promise<CounterRow[]>;
  /** Active minutes per day for a source: day `YYYY-MM-DD` to sorted minute-of-day numbers. */
  abstract activity(source: string, days: string[]): Promise<Map<string, number[]>>;

  /** Health: DescribeTable. */
  abstract ping(signal?: AbortSignal): Promise<void>;
}
