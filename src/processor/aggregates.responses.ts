// The answers of the aggregates routes as the OpenAPI document describes them; each class implements
// the type the code returns, so a field added there without a line here does not compile.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COUNT, DATE_TIME, EVENT_ID, SHA256 } from '../shared/openapi/schema-fields';
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

const KEY = {
  description: '`<entity_id>@<period>`, period `YYYY-MM-DDTHH` or `YYYY-MM-DD`',
  example: 'order-123@2026-11-25T10',
};
const AGGREGATOR = { description: 'the aggregator that computed it', example: 'entity_hour' };
const EVENT_IDS = { type: 'array' as const, items: { type: 'string' as const, pattern: EVENT_ID.pattern } };

export class VersionView implements VersionViewType {
  @ApiProperty(AGGREGATOR) aggregator!: string;
  @ApiProperty({ description: "the aggregator's version", example: '1' }) aggregator_version!: string;
  @ApiProperty(KEY) key!: string;
  @ApiProperty() entity_id!: string;
  @ApiProperty({ example: '2026-11-25T10', description: 'the UTC hour `YYYY-MM-DDTHH` or day `YYYY-MM-DD`' })
  period!: string;
  @ApiPropertyOptional({ example: '2026-11-25T10', description: 'the period again, for hourly buckets' })
  hour?: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) version!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "the aggregator's value (entity_hour: count, by_type, first_occurred_at, last_occurred_at)",
    example: {
      count: 1,
      by_type: { 'order.created': 1 },
      first_occurred_at: '2026-11-25T10:00:00.123Z',
      last_occurred_at: '2026-11-25T10:00:00.123Z',
    },
  })
  value!: Record<string, unknown>;
  @ApiProperty({
    ...SHA256,
    description: 'sum modulo 2^256 of SHA-256 of each input payload hash (order-independent)',
  })
  input_hash!: string;
  @ApiProperty(COUNT) input_count!: number;
  @ApiProperty(EVENT_IDS) sample_event_ids!: string[];
  @ApiProperty() processor_version!: string;
  @ApiProperty(DATE_TIME) computed_at!: string;
  @ApiProperty({ type: [String], description: 'the replays whose messages caused this version' })
  replay_ids!: string[];
  @ApiProperty({ ...EVENT_IDS, description: 'the inputs this version added to the one before' })
  added_event_ids!: string[];
  @ApiProperty({ description: 'S3 key of the lineage file of the commit that wrote this version' })
  lineage_key!: string;
}

export class AggregateVersionView extends VersionView implements Answer<'version'> {
  @ApiProperty({ ...EVENT_IDS, description: 'every input event id' }) input_event_ids!: string[];
}

export class AggregateList implements Answer<'list'> {
  @ApiProperty({ type: [VersionView], description: 'the latest version of each bucket' })
  items!: VersionView[];
}

export class AggregateHistory implements Answer<'get'> {
  @ApiProperty(AGGREGATOR) aggregator!: string;
  @ApiProperty(KEY) key!: string;
  @ApiProperty({ type: VersionView }) latest!: VersionView;
  @ApiProperty({ type: [VersionView], description: 'oldest first' }) versions!: VersionView[];
}

/** A changed leaf of the value: a count, a time, or null where the other version lacks it. */
const LEAF = {
  anyOf: [
    { type: 'number' as const },
    { type: 'string' as const },
    { type: 'boolean' as const },
    { type: 'array' as const },
    { type: 'null' as const },
  ],
  description: 'null when absent in that version',
};

class ValueChange {
  @ApiProperty({ description: 'dotted path, e.g. `count` or `by_type.order.created`' }) field!: string;
  @ApiProperty(LEAF) from!: unknown;
  @ApiProperty(LEAF) to!: unknown;
}

export class DiffView implements DiffViewType {
  @ApiProperty(AGGREGATOR) aggregator!: string;
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
  @ApiProperty({
    type: [VersionView],
    description: 'the versions, of every aggregator, whose inputs include the event',
  })
  items!: VersionView[];
}
