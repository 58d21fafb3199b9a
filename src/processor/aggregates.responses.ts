// The answers of the aggregates routes as the OpenAPI document describes them; each class implements
// the type the code returns, so a field added there without a line here does not compile.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COUNT, DATE_TIME, EVENT_ID, SHA256 } from '../shared/openapi/schema-fields';
import type { AggregateVersion } from './aggregate-store';
import type {
  AggregatesService,
  DiffView as DiffViewType,
  VersionView as VersionViewType,
} from './aggregates.service';

type Answer<M extends keyof AggregatesService> = AggregatesService[M] extends (
  ...args: never[]
) => Promise<infer R>
  ? R
  : never;

const KEY = { description: '`<entity_id>@<YYYY-MM-DDTHH>`', example: 'order-123@2026-11-25T10' };
const EVENT_IDS = { type: 'array' as const, items: { type: 'string' as const, pattern: EVENT_ID.pattern } };

class AggregateValue {
  @ApiProperty(COUNT) count!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0 },
    example: { 'order.created': 1 },
  })
  by_type!: Record<string, number>;
  @ApiProperty({ ...DATE_TIME, type: String, nullable: true }) first_occurred_at!: string | null;
  @ApiProperty({ ...DATE_TIME, type: String, nullable: true }) last_occurred_at!: string | null;
}

export class VersionView implements VersionViewType {
  @ApiProperty(KEY) key!: string;
  @ApiProperty() entity_id!: string;
  @ApiProperty({ example: '2026-11-25T10', description: 'the UTC hour, YYYY-MM-DDTHH' }) hour!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) version!: number;
  @ApiProperty({ type: AggregateValue }) value!: AggregateValue;
  @ApiProperty({ ...SHA256, description: 'hash of the sorted input payload hashes' }) input_hash!: string;
  @ApiProperty(COUNT) input_count!: number;
  @ApiProperty(EVENT_IDS) sample_event_ids!: string[];
  @ApiProperty() processor_version!: string;
  @ApiProperty(DATE_TIME) computed_at!: string;
  @ApiProperty({ type: [String], description: 'the replays whose messages caused this version' })
  replay_ids!: string[];
  @ApiProperty({ description: 'S3 key of the full input list' }) lineage_key!: string;
}

export class AggregateVersionView extends VersionView implements AggregateVersion {
  @ApiPropertyOptional({ ...EVENT_IDS, description: 'every input event id' }) input_event_ids?: string[];
}

export class AggregateList implements Answer<'list'> {
  @ApiProperty({ type: [VersionView], description: 'the latest version of each bucket' })
  items!: VersionView[];
}

export class AggregateHistory implements Answer<'get'> {
  @ApiProperty(KEY) key!: string;
  @ApiProperty({ type: VersionView }) latest!: VersionView;
  @ApiProperty({ type: [VersionView], description: 'oldest first' }) versions!: VersionView[];
}

/** A changed leaf of the value: a count, a time, or null where the other version lacks it. */
const LEAF = {
  anyOf: [{ type: 'number' as const }, { type: 'string' as const }, { type: 'null' as const }],
  description: 'null when absent in that version',
};

class ValueChange {
  @ApiProperty({ description: 'dotted path, e.g. `count` or `by_type.order.created`' }) field!: string;
  @ApiProperty(LEAF) from!: unknown;
  @ApiProperty(LEAF) to!: unknown;
}

export class DiffView implements DiffViewType {
  @ApiProperty(KEY) key!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) from!: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) to!: number;
  @ApiProperty({ type: [ValueChange] }) changes!: ValueChange[];
  @ApiProperty(EVENT_IDS) added_event_ids!: string[];
  @ApiProperty(EVENT_IDS) removed_event_ids!: string[];
}

export class EventAggregates implements Answer<'ofEvent'> {
  @ApiProperty(EVENT_ID) event_id!: string;
  @ApiProperty(KEY) key!: string;
  @ApiProperty({ type: [VersionView], description: 'the versions whose inputs include the event' })
  items!: VersionView[];
}
