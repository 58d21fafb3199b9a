// Response shapes of the public API, as docs/api.md, docs/replay.md and docs/processor.md describe them.

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

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
  duplicate_count: number;
  conflict_count: number;
  first_duplicate_at: string | null;
  last_duplicate_at: string | null;
}

export interface EventWithRaw extends EventView {
  raw: string;
}

export interface Attempt {
  kind: 'first' | 'duplicate' | 'conflict';
  received_at: string;
  payload_sha256: string;
  request_id: string | null;
  same_payload_as_first: boolean;
  s3_key: string | null;
}

export interface Attempts extends Page<Attempt> {
  event_id: string;
  duplicate_count: number;
  conflict_count: number;
}

export type Health = 'ok' | 'warn' | 'bad';

export interface LagQuantiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface StatsRow {
  source: string;
  type: string;
  received: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  late: number;
  future: number;
  bytes: number;
  lag_ms: LagQuantiles;
  duplicate_rate: number;
  late_rate: number;
  reject_rate: number;
  health: Health;
  health_reasons: string[];
}

export interface Stats {
  from: string;
  to: string;
  counted_from: string;
  counted_to: string;
  rows: StatsRow[];
}

export interface Gap {
  from: string;
  to: string;
  minutes: number;
  open_end: boolean;
}

export interface Gaps extends Page<Gap> {
  source: string;
  from: string;
  to: string;
  min_gap_minutes: number;
  examined_minutes: number;
  active_minutes: number;
}

export interface DuplicateItem {
  event_id: string;
  type: string;
  entity_id: string;
  occurred_at: string;
  duplicate_count: number;
  first_duplicate_at: string;
  last_duplicate_at: string;
}

export interface ConflictItem {
  event_id: string;
  type: string;
  entity_id: string;
  idempotency_key: string;
  first_received_at: string;
  received_at: string;
  stored_payload_sha256: string;
  received_payload_sha256: string;
  rejected_s3_key: string;
}

export interface Duplicates {
  items: DuplicateItem[];
  conflicts: ConflictItem[];
  next_cursor: string | null;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export interface RejectedRow {
  rejection_id: string;
  source: string | null;
  received_at: string;
  request_id: string | null;
  reason: 'validation' | 'conflict';
  errors: FieldProblem[];
  event_id: string | null;
  size_bytes: number;
  s3_key: string;
  raw: string | null;
}

export interface SequenceGaps {
  entity_id: string;
  source: string;
  truncated: boolean;
  events: number;
  first_sequence: number | null;
  last_sequence: number | null;
  missing: { from: number; to: number; count: number }[];
  missing_count: number;
  repeated: { sequence: number; event_ids: string[] }[];
  out_of_order: { sequence: number; event_id: string; received_at: string; after_sequence: number }[];
  next_expected: number | null;
}

export interface ReplayFilter {
  source?: string;
  entity_id?: string;
  event_ids?: string[];
  type?: string;
  from?: string;
  to?: string;
}

export interface ReplayPlan {
  matched: number;
  bytes: number;
  by_source_type: { source: string; type: string; count: number; bytes: number }[];
  sample_event_ids: string[];
  estimated_seconds: number;
  truncated: boolean;
}

export type ReplayStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface ReplayJob {
  replay_id: string;
  status: ReplayStatus;
  filter: ReplayFilter;
  reason: string;
  requested_by: string;
  queue: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  matched: number;
  bytes: number;
  truncated: boolean;
  max_events: number;
  sent: number;
  failed: number;
  processed: number;
  rate_per_second: number;
  progress: number;
  manifest_key: string;
  error?: string;
}

export interface AggregateValue {
  count: number;
  by_type: Record<string, number>;
  first_occurred_at: string;
  last_occurred_at: string;
}

export interface AggregateVersion {
  key: string;
  entity_id: string;
  hour: string;
  version: number;
  value: AggregateValue;
  input_hash: string;
  input_count: number;
  sample_event_ids: string[];
  processor_version: string;
  computed_at: string;
  replay_ids: string[];
  lineage_key: string;
  input_event_ids?: string[];
}

export interface AggregateDiff {
  key: string;
  from: number;
  to: number;
  changes: { field: string; from: unknown; to: unknown }[];
  added_event_ids: string[];
  removed_event_ids: string[];
}
