// The answers of the investigation routes as the OpenAPI document describes them; each class
// implements the type the code returns, so a field added there without a line here does not compile.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  COUNT,
  DATE_TIME,
  EVENT_ID,
  FieldProblem,
  NEXT_CURSOR,
  SHA256,
  STOPPED_EARLY,
} from '../shared/openapi/schema-fields';
import type { Gap as GapType } from './activity-gaps';
import type * as views from './query-views';
import type { QueryService } from './query.service';
import type { SourceHealthService } from './source-health.service';
import type { SequenceReport } from './sequence-gaps';
import type { StatsRow as StatsRowType } from './stats-rows';

type Answer<S, M extends keyof S> = S[M] extends (...args: never[]) => Promise<infer R> ? R : never;

/** Who sent it, as logs and audit lines name the key. */
const KEY_ID = {
  type: String,
  nullable: true,
  description: 'id of the API key (or `signed:<source>`, `reconcile`) that sent it; never the key itself',
};
const NULLABLE_TIME = { ...DATE_TIME, type: String, nullable: true };

export class EventView implements views.EventView {
  @ApiProperty(EVENT_ID) event_id!: string;
  @ApiProperty({ example: 'orders-svc' }) source!: string;
  @ApiProperty({ example: 'order.shipped' }) type!: string;
  @ApiProperty({ example: 'order-123' }) entity_id!: string;
  @ApiProperty({ ...DATE_TIME, description: 'normalised to UTC milliseconds' }) occurred_at!: string;
  @ApiProperty(DATE_TIME) received_at!: string;
  @ApiProperty({ type: 'integer', description: 'received_at minus occurred_at' }) lag_ms!: number;
  @ApiProperty({ description: 'lag_ms over the source’s late threshold' }) late!: boolean;
  @ApiProperty({ description: 'occurred more than 5 minutes after it was received' }) future!: boolean;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0 }) sequence!: number | null;
  @ApiProperty({ type: String, nullable: true }) idempotency_key!: string | null;
  @ApiProperty({ type: String, nullable: true }) schema_version!: string | null;
  @ApiProperty(SHA256) payload_sha256!: string;
  @ApiProperty({ ...COUNT, description: 'bytes as received' }) size_bytes!: number;
  @ApiProperty({ description: 'the raw object (a batch NDJSON object when s3_range is set)' })
  s3_key!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 0 },
    minItems: 2,
    maxItems: 2,
    nullable: true,
    description: 'inclusive byte range inside a batch object; null when the event has its own object',
  })
  s3_range!: [number, number] | null;
  @ApiProperty({ description: 'of the request that stored it' }) request_id!: string;
  @ApiProperty(KEY_ID) key_id!: string | null;
  @ApiProperty(COUNT) duplicate_count!: number;
  @ApiProperty(COUNT) conflict_count!: number;
  @ApiProperty(NULLABLE_TIME) first_duplicate_at!: string | null;
  @ApiProperty(NULLABLE_TIME) last_duplicate_at!: string | null;
  @ApiProperty({
    ...NULLABLE_TIME,
    description: 'set when a reconcile repair indexed the event after ingest stored it (docs/operations.md)',
  })
  recovered_at!: string | null;
}

export class EventWithRaw extends EventView implements Answer<QueryService, 'event'> {
  @ApiPropertyOptional({ description: 'the event exactly as sent (UTF-8); absent with `raw=false`' })
  raw?: string;
}

export class EventPage implements Answer<QueryService, 'events'> {
  @ApiProperty({ type: [EventView] }) items!: EventView[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;
  @ApiProperty(STOPPED_EARLY) stopped_early!: boolean;
}

export class AttemptView implements views.AttemptView {
  @ApiProperty({ enum: ['first', 'duplicate', 'conflict'] }) kind!: 'first' | 'duplicate' | 'conflict';
  @ApiProperty({ type: String, nullable: true, description: 'null for the first submission (the event)' })
  attempt_id!: string | null;
  @ApiProperty(DATE_TIME) received_at!: string;
  @ApiProperty(SHA256) payload_sha256!: string;
  @ApiProperty() request_id!: string;
  @ApiProperty(KEY_ID) key_id!: string | null;
  @ApiProperty({ description: 'duplicates share the first payload hash; conflicts do not' })
  same_payload_as_first!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'first: the raw object; conflict: the rejected/ object keeping its body',
  })
  s3_key!: string | null;
}

export class Attempts implements Answer<QueryService, 'attempts'> {
  @ApiProperty(EVENT_ID) event_id!: string;
  @ApiProperty() source!: string;
  @ApiProperty({ type: String, nullable: true }) idempotency_key!: string | null;
  @ApiProperty(COUNT) duplicate_count!: number;
  @ApiProperty(COUNT) conflict_count!: number;
  @ApiProperty({ type: [AttemptView], description: 'oldest first; the first page starts with `first`' })
  items!: AttemptView[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;
  @ApiProperty(STOPPED_EARLY) stopped_early!: boolean;
}

class LagQuantiles {
  @ApiProperty({ type: 'integer', nullable: true }) p50!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) p95!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) p99!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) max!: number | null;
}

const RATE = { minimum: 0, maximum: 1 };

export class StatsRow implements StatsRowType {
  @ApiProperty({ description: '`~` counts rejected submissions whose source was unreadable' })
  source!: string;
  @ApiProperty({ description: '`~` counts rejected submissions whose type was unreadable' }) type!: string;
  @ApiProperty({ ...COUNT, description: 'accepted + duplicates + conflicts + rejected' }) received!: number;
  @ApiProperty(COUNT) accepted!: number;
  @ApiProperty(COUNT) duplicates!: number;
  @ApiProperty(COUNT) conflicts!: number;
  @ApiProperty(COUNT) rejected!: number;
  @ApiProperty(COUNT) late!: number;
  @ApiProperty(COUNT) future!: number;
  @ApiProperty({ ...COUNT, description: 'bytes of accepted events' }) bytes!: number;
  @ApiProperty({ type: LagQuantiles, description: 'of accepted events; all null when none' })
  lag_ms!: LagQuantiles;
  @ApiProperty({ ...RATE, description: 'duplicates / received' }) duplicate_rate!: number;
  @ApiProperty({ ...RATE, description: 'late / accepted' }) late_rate!: number;
  @ApiProperty({ ...RATE, description: 'rejected / received' }) reject_rate!: number;
  @ApiProperty({ enum: ['ok', 'warn', 'bad'] }) health!: 'ok' | 'warn' | 'bad';
  @ApiProperty({ type: [String], example: ['duplicate_rate 0.6667 >= 0.05 (bad)'] })
  health_reasons!: string[];
}

export class Stats implements Answer<SourceHealthService, 'stats'> {
  @ApiProperty(DATE_TIME) from!: string;
  @ApiProperty(DATE_TIME) to!: string;
  @ApiProperty({ ...DATE_TIME, description: 'start of the first whole hour counted' }) counted_from!: string;
  @ApiProperty({ ...DATE_TIME, description: 'end of the last whole hour counted' }) counted_to!: string;
  @ApiProperty({ type: [StatsRow], description: 'worst first' }) rows!: StatsRow[];
  @ApiPropertyOptional({
    ...NEXT_CURSOR,
    description: 'with `limit` or `cursor` only: pass back as `cursor` for the next rows; null at the end',
  })
  next_cursor?: string | null;
}

export class DuplicateView implements views.DuplicateView {
  @ApiProperty(EVENT_ID) event_id!: string;
  @ApiProperty() source!: string;
  @ApiProperty() type!: string;
  @ApiProperty() entity_id!: string;
  @ApiProperty(DATE_TIME) occurred_at!: string;
  @ApiProperty(DATE_TIME) received_at!: string;
  @ApiProperty(SHA256) payload_sha256!: string;
  @ApiProperty(COUNT) duplicate_count!: number;
  @ApiProperty(NULLABLE_TIME) first_duplicate_at!: string | null;
  @ApiProperty(NULLABLE_TIME) last_duplicate_at!: string | null;
}

export class ConflictView implements views.ConflictView {
  @ApiProperty({ ...EVENT_ID, description: 'the stored event holding the idempotency key' })
  event_id!: string;
  @ApiProperty() source!: string;
  @ApiProperty({ type: String, nullable: true }) type!: string | null;
  @ApiProperty({ type: String, nullable: true }) entity_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) idempotency_key!: string | null;
  @ApiProperty(NULLABLE_TIME) first_received_at!: string | null;
  @ApiProperty({ ...DATE_TIME, description: 'of the conflicting submission' }) received_at!: string;
  @ApiProperty() request_id!: string;
  @ApiProperty(KEY_ID) key_id!: string | null;
  @ApiProperty({ ...SHA256, type: String, nullable: true }) stored_payload_sha256!: string | null;
  @ApiProperty(SHA256) received_payload_sha256!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the rejected/ object keeping the body' })
  rejected_s3_key!: string | null;
}

export class Duplicates implements Answer<SourceHealthService, 'duplicates'> {
  @ApiProperty() source!: string;
  @ApiProperty(DATE_TIME) from!: string;
  @ApiProperty(DATE_TIME) to!: string;
  @ApiProperty({ type: [DuplicateView], description: 'events that received repeats' })
  items!: DuplicateView[];
  @ApiProperty({ type: [ConflictView], description: 'idempotency conflicts' }) conflicts!: ConflictView[];
  @ApiProperty({ ...NEXT_CURSOR, description: 'pages both lists; null when both are finished' })
  next_cursor!: string | null;
  @ApiProperty(STOPPED_EARLY) stopped_early!: boolean;
}

export class Gap implements GapType {
  @ApiProperty({ ...DATE_TIME, description: 'start of the first silent minute' }) from!: string;
  @ApiProperty({ ...DATE_TIME, description: 'start of the next active minute, or the window’s end' })
  to!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) minutes!: number;
  @ApiProperty({ description: 'runs into the end of the window (may still be going on)' })
  open_end!: boolean;
}

export class Gaps implements Answer<SourceHealthService, 'gaps'> {
  @ApiProperty() source!: string;
  @ApiProperty(DATE_TIME) from!: string;
  @ApiProperty(DATE_TIME) to!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) min_gap_minutes!: number;
  @ApiProperty(COUNT) examined_minutes!: number;
  @ApiProperty(COUNT) active_minutes!: number;
  @ApiProperty({ type: [Gap] }) items!: Gap[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;
}

class MissingRange {
  @ApiProperty({ type: 'integer' }) from!: number;
  @ApiProperty({ type: 'integer' }) to!: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) count!: number;
}

class RepeatedSequence {
  @ApiProperty({ type: 'integer' }) sequence!: number;
  @ApiProperty({ type: [String] }) event_ids!: string[];
}

class OutOfOrder {
  @ApiProperty({ type: 'integer' }) sequence!: number;
  @ApiProperty(EVENT_ID) event_id!: string;
  @ApiProperty(DATE_TIME) received_at!: string;
  @ApiProperty({ type: 'integer', description: 'the higher number that arrived before it' })
  after_sequence!: number;
}

export class SequenceGaps implements SequenceReport, Answer<SourceHealthService, 'sequenceGaps'> {
  @ApiProperty() entity_id!: string;
  @ApiProperty() source!: string;
  @ApiProperty({ description: 'stopped after 10,000 events' }) truncated!: boolean;
  @ApiProperty({ ...COUNT, description: 'events carrying a sequence that were examined' }) events!: number;
  @ApiProperty({ type: 'integer', nullable: true }) first_sequence!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) last_sequence!: number | null;
  @ApiProperty({ type: [MissingRange] }) missing!: MissingRange[];
  @ApiProperty(COUNT) missing_count!: number;
  @ApiProperty({ type: [RepeatedSequence] }) repeated!: RepeatedSequence[];
  @ApiProperty({ type: [OutOfOrder] }) out_of_order!: OutOfOrder[];
  @ApiProperty({ type: 'integer', nullable: true }) next_expected!: number | null;
}

export class RejectedView implements views.RejectedView {
  @ApiProperty({ format: 'uuid' }) rejection_id!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null when the body had no readable source' })
  source!: string | null;
  @ApiProperty(DATE_TIME) received_at!: string;
  @ApiProperty() request_id!: string;
  @ApiProperty(KEY_ID) key_id!: string | null;
  @ApiProperty({ enum: ['validation', 'schema', 'conflict'] }) reason!: 'validation' | 'schema' | 'conflict';
  @ApiProperty({
    type: [FieldProblem],
    description: 'in a listing the first 20, each clipped to 500 characters',
  })
  errors!: FieldProblem[];
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'how many problems there were, when more than listed',
  })
  errors_total!: number | null;
  @ApiProperty({ ...EVENT_ID, type: String, nullable: true, description: 'the event it conflicted with' })
  event_id!: string | null;
  @ApiProperty(COUNT) size_bytes!: number;
  @ApiProperty({ description: 'the rejected/ object keeping the body' }) s3_key!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the body exactly as received; in a listing null above 8 KiB (read GET /rejected/{id})',
  })
  raw!: string | null;
}

export class RejectedPage implements Answer<QueryService, 'rejected'> {
  @ApiProperty({ type: [RejectedView] }) items!: RejectedView[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;
  @ApiProperty(STOPPED_EARLY) stopped_early!: boolean;
}
