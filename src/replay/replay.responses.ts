// The answers of the replay routes as the OpenAPI document describes them; each class implements the
// type the code returns, so a field added there without a line here does not compile.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COUNT, DATE_TIME, EVENT_ID, NEXT_CURSOR } from '../shared/openapi/schema-fields';
import { REPLAY_STATUSES, ReplayFilter, ReplayStatus } from './replay-job-store';
import type * as views from './replay-view';
import type { UnprocessedView } from './replay-unprocessed';

class SourceTypeCount {
  @ApiProperty() source!: string;
  @ApiProperty() type!: string;
  @ApiProperty(COUNT) count!: number;
  @ApiProperty(COUNT) bytes!: number;
}

export class ReplayPlan implements views.ReplayPlan {
  @ApiProperty({ ...COUNT, description: 'events the filter selects (at most max_events)' }) matched!: number;
  @ApiProperty({ ...COUNT, description: 'their raw bytes' }) bytes!: number;
  @ApiProperty({ type: [SourceTypeCount] }) by_source_type!: SourceTypeCount[];
  @ApiProperty({ type: 'array', items: { type: 'string', pattern: EVENT_ID.pattern }, maxItems: 10 })
  sample_event_ids!: string[];
  @ApiProperty({ ...COUNT, description: 'at the requested rate' }) estimated_seconds!: number;
  @ApiProperty({ description: 'more events matched than max_events' }) truncated!: boolean;
}

/** The filter as stored, times normalised to UTC. */
export class ReplayFilterView implements ReplayFilter {
  @ApiPropertyOptional() entity_id?: string;
  @ApiPropertyOptional() source?: string;
  @ApiPropertyOptional() type?: string;
  @ApiPropertyOptional(DATE_TIME) from?: string;
  @ApiPropertyOptional(DATE_TIME) to?: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', pattern: EVENT_ID.pattern } })
  event_ids?: string[];
}

class Unprocessed implements UnprocessedView {
  @ApiProperty(COUNT) count!: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'string', pattern: EVENT_ID.pattern },
    description: 'the first ones',
  })
  event_ids!: string[];
  @ApiProperty() truncated!: boolean;
}

const NULLABLE_TIME = { ...DATE_TIME, type: String, nullable: true };

export class ReplayView implements views.ReplayView {
  @ApiProperty({ format: 'uuid' }) replay_id!: string;
  @ApiProperty({ enum: [...REPLAY_STATUSES] }) status!: ReplayStatus;
  @ApiProperty({ type: ReplayFilterView }) filter!: ReplayFilterView;
  @ApiProperty() reason!: string;
  @ApiProperty({ description: 'the key’s non-secret label (`auth-off` without keys)' }) requested_by!: string;
  @ApiProperty() queue!: string;
  @ApiProperty(DATE_TIME) created_at!: string;
  @ApiProperty(NULLABLE_TIME) started_at!: string | null;
  @ApiProperty(NULLABLE_TIME) finished_at!: string | null;
  @ApiProperty(COUNT) matched!: number;
  @ApiProperty(COUNT) bytes!: number;
  @ApiProperty() truncated!: boolean;
  @ApiProperty({ type: 'integer', minimum: 1 }) max_events!: number;
  @ApiProperty({ ...COUNT, description: 'messages sent to the queue' }) sent!: number;
  @ApiProperty({ ...COUNT, description: 'messages that could not be sent' }) failed!: number;
  @ApiProperty({ ...COUNT, description: 'messages the processor finished' }) processed!: number;
  @ApiProperty({ type: 'integer', minimum: 1 }) rate_per_second!: number;
  @ApiProperty({ minimum: 0, maximum: 1, description: '(sent + failed) / matched' }) progress!: number;
  @ApiProperty({ description: 'S3 key of the frozen selection' }) manifest_key!: string;
  @ApiPropertyOptional({ description: 'why a failed replay failed' }) error?: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'a resend: the replay whose events it sends again',
  })
  resend_of!: string | null;
  @ApiPropertyOptional({
    type: Unprocessed,
    nullable: true,
    description:
      'GET /replay/{id} only: events sent but never processed, once the replay finished and the queue ' +
      'drained; null when there are none or it cannot be told yet',
  })
  unprocessed?: Unprocessed | null;
}

export class ReplayCreated {
  @ApiProperty({ format: 'uuid' }) replay_id!: string;
  @ApiProperty({ enum: [...REPLAY_STATUSES], example: 'pending' }) status!: string;
}

export class ReplayPage {
  @ApiProperty({ type: [ReplayView], description: 'newest first' }) items!: ReplayView[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;
}
