// Port for the event index: one item per event and the attempts (duplicates, conflicts) counted
// against it, with the investigation reads over them. DynamoDB single-table design, see
// docs/data-model.md. Methods speak the domain; SDK types never leave the implementation.
import type { Page, PageRequest, TimeWindow } from '../paging/page';

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
  /** Id of the key (or signed source) that sent the first submission. */
  key_id?: string;
  duplicate_count: number;
  conflict_count: number;
  first_duplicate_at?: string;
  last_duplicate_at?: string;
  /** Set when reconcile indexed a raw object ingest had stored but never indexed (a crash in between). */
  recovered_at?: string;
}

export type AttemptKind = 'duplicate' | 'conflict';

export interface Attempt {
  /** Server-generated, unique per attempt: two repeats in one request keep two records. */
  attempt_id: string;
  event_id: string;
  source: string;
  kind: AttemptKind;
  received_at: string;
  payload_sha256: string;
  /** The request's id (the client's x-request-id when sane): kept for correlation, not as a key. */
  request_id: string;
  /** Id of the key (or signed source) that sent the repeat. */
  key_id?: string;
  /** Where the conflicting body was kept (rejected/ object), for conflicts. */
  s3_key?: string;
}

export interface RepeatResult {
  /** The event as stored, after this repeat was counted. */
  event: EventRecord;
  /** Whether the attempt itself was kept (only the first ATTEMPTS_KEPT are). */
  attemptKept: boolean;
}

export const ATTEMPTS_KEPT = 100;

export abstract class EventIndex {
  /** Conditional put of a new event; `existing` is the stored item when the id was already claimed. */
  abstract claim(event: EventRecord): Promise<{ claimed: true } | { claimed: false; existing: EventRecord }>;
  /** Counts a duplicate or conflicting resubmission against a stored event and keeps the attempt. */
  abstract recordRepeat(attempt: Attempt): Promise<RepeatResult>;
  /**
   * Points a stored event at another copy of its bytes, if it still points at `from`; false when it
   * does not (nothing changed). Ingest uses it to move a batch's events off an object it removes.
   */
  abstract repoint(eventId: string, from: string, to: string, range?: [number, number]): Promise<boolean>;
  abstract getEvent(eventId: string): Promise<EventRecord | undefined>;
  /** Several events by id (BatchGetItem); ids not found are absent from the map. */
  abstract getEvents(eventIds: string[]): Promise<Map<string, EventRecord>>;
  abstract attempts(eventId: string, page: PageRequest): Promise<Page<Attempt>>;

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
  /** The newest event of a source by received_at within the window (one Query per day, newest first). */
  abstract latestOfSource(source: string, window: TimeWindow): Promise<EventRecord | undefined>;
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

  /** Health: DescribeTable. */
  abstract ping(signal?: AbortSignal): Promise<void>;
}
