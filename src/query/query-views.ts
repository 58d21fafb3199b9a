// The investigation API's response shapes: every field present on the wire, null when absent.
import type { Attempt, EventRecord } from '../shared/events/event-index';
import type { Page } from '../shared/paging/page';
import type { RejectedRecord } from '../shared/rejected/rejected-store';

/** An index item on the wire: every field present, null when the event does not carry it. */
export interface EventView {
  event_id: string;
  source: string;
  type: string;
  entity_id: string;
  occurred_at: string;
  received_at: string;
  lag_ms: number;
  late: boolean;
  future: boolean;
  sequence: number | null;
  idempotency_key: string | null;
  schema_version: string | null;
  payload_sha256: string;
  size_bytes: number;
  s3_key: string;
  s3_range: [number, number] | null;
  request_id: string;
  /** Id of the key (or `signed:<source>`) that sent the first submission; null before key ids existed. */
  key_id: string | null;
  duplicate_count: number;
  conflict_count: number;
  first_duplicate_at: string | null;
  last_duplicate_at: string | null;
  /** When reconcile indexed this event from its raw object (ingest stored it but crashed before indexing). */
  recovered_at: string | null;
}

export interface AttemptView {
  kind: 'first' | Attempt['kind'];
  /** null for the first submission (the event itself). */
  attempt_id: string | null;
  received_at: string;
  payload_sha256: string;
  request_id: string;
  key_id: string | null;
  /** Duplicates share the first submission's payload hash; conflicts do not. */
  same_payload_as_first: boolean;
  /** first: the raw object; conflict: the rejected/ object keeping the conflicting body. */
  s3_key: string | null;
}

export interface DuplicateView {
  event_id: string;
  source: string;
  type: string;
  entity_id: string;
  occurred_at: string;
  received_at: string;
  payload_sha256: string;
  duplicate_count: number;
  first_duplicate_at: string | null;
  last_duplicate_at: string | null;
}

export interface ConflictView {
  event_id: string;
  source: string;
  type: string | null;
  entity_id: string | null;
  idempotency_key: string | null;
  first_received_at: string | null;
  received_at: string;
  request_id: string;
  key_id: string | null;
  stored_payload_sha256: string | null;
  received_payload_sha256: string;
  rejected_s3_key: string | null;
}

export interface RejectedView {
  rejection_id: string;
  source: string | null;
  received_at: string;
  request_id: string;
  key_id: string | null;
  reason: RejectedRecord['reason'];
  errors: RejectedRecord['errors'];
  /** How many problems there were, when `errors` holds only the first (the object holds all). */
  errors_total: number | null;
  event_id: string | null;
  size_bytes: number;
  /** Where the body and every error are kept: the pointer for bodies too large to list inline. */
  s3_key: string;
  /** The body as received; in a listing null for bodies over 8 KiB (read GET /rejected/{id}). */
  raw: string | null;
}

export const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

export function eventView(e: EventRecord): EventView {
  return {
    event_id: e.event_id,
    source: e.source,
    type: e.type,
    entity_id: e.entity_id,
    occurred_at: e.occurred_at,
    received_at: e.received_at,
    lag_ms: e.lag_ms,
    late: e.late,
    future: e.future,
    sequence: nul(e.sequence),
    idempotency_key: nul(e.idempotency_key),
    schema_version: nul(e.schema_version),
    payload_sha256: e.payload_sha256,
    size_bytes: e.size_bytes,
    s3_key: e.s3_key,
    s3_range: nul(e.s3_range),
    request_id: e.request_id,
    key_id: nul(e.key_id),
    duplicate_count: e.duplicate_count ?? 0,
    conflict_count: e.conflict_count ?? 0,
    first_duplicate_at: nul(e.first_duplicate_at),
    last_duplicate_at: nul(e.last_duplicate_at),
    recovered_at: nul(e.recovered_at),
  };
}

/** A page on the wire: `stopped_early` always present (true when the read budget cut the page short). */
export type PageView<T> = Required<Page<T>>;

export const mapPage = <T, R>(page: Page<T>, f: (t: T) => R): PageView<R> => ({
  items: page.items.map(f),
  next_cursor: page.next_cursor,
  stopped_early: page.stopped_early ?? false,
});

export function duplicateView(e: EventRecord): DuplicateView {
  return {
    event_id: e.event_id,
    source: e.source,
    type: e.type,
    entity_id: e.entity_id,
    occurred_at: e.occurred_at,
    received_at: e.received_at,
    payload_sha256: e.payload_sha256,
    duplicate_count: e.duplicate_count ?? 0,
    first_duplicate_at: nul(e.first_duplicate_at),
    last_duplicate_at: nul(e.last_duplicate_at),
  };
}

/** A conflicting attempt beside the event that holds its idempotency key (`first`, when still there). */
export function conflictView(c: Attempt, first: EventRecord | undefined): ConflictView {
  return {
    event_id: c.event_id,
    source: c.source,
    type: nul(first?.type),
    entity_id: nul(first?.entity_id),
    idempotency_key: nul(first?.idempotency_key),
    first_received_at: nul(first?.received_at),
    received_at: c.received_at,
    request_id: c.request_id,
    key_id: nul(c.key_id),
    stored_payload_sha256: nul(first?.payload_sha256),
    received_payload_sha256: c.payload_sha256,
    rejected_s3_key: nul(c.s3_key),
  };
}

/** A rejected row with its body (`raw`: inline in the row, or read from its rejected/ object). */
export function rejectedView(r: RejectedRecord, raw: string | undefined): RejectedView {
  return {
    rejection_id: r.rejection_id,
    source: nul(r.source),
    received_at: r.received_at,
    request_id: r.request_id,
    key_id: nul(r.key_id),
    reason: r.reason,
    errors: r.errors,
    errors_total: nul(r.errors_total),
    event_id: nul(r.event_id),
    size_bytes: r.size_bytes,
    s3_key: r.s3_key,
    raw: nul(raw),
  };
}
