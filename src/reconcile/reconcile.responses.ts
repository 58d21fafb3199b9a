// The answers of the reconcile routes as the OpenAPI document describes them; each class implements
// the type the code returns, so a field added there without a line here does not compile.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COUNT, DATE_TIME, EVENT_ID, NEXT_CURSOR } from '../shared/openapi/schema-fields';
import type { Page } from '../shared/paging/page';
import {
  FINDING_KINDS,
  FindingKind,
  RECONCILE_STATUSES,
  ReconcileStatus,
  type Finding,
  type ReconcileCounts,
  type ReconcileCursor,
} from './reconcile-job-store';
import type { ReconcileView } from './reconcile.service';

const NULLABLE_STRING = { type: String, nullable: true };
const NULLABLE_TIME = { ...DATE_TIME, type: String, nullable: true };

class ReconcileCountsView implements ReconcileCounts {
  @ApiProperty({ ...COUNT, description: 'raw objects listed in the window’s partitions' }) objects!: number;
  @ApiProperty({ ...COUNT, description: 'events read out of them (a batch object holds many)' })
  members!: number;
  @ApiProperty({ ...COUNT, description: 'index items whose raw object was read and checked' })
  index_items!: number;
  @ApiProperty(COUNT) unindexed!: number;
  @ApiProperty({ ...COUNT, description: 'unindexed events this job indexed (repair runs only)' })
  recovered!: number;
  @ApiProperty(COUNT) missing_raw!: number;
  @ApiProperty(COUNT) corrupt_raw!: number;
  @ApiProperty(COUNT) unreferenced!: number;
  @ApiProperty(COUNT) unreadable!: number;
  @ApiProperty({
    ...COUNT,
    description: 'raw objects older than RETENTION_EVENTS_DAYS: not expected indexed',
  })
  past_retention!: number;
  @ApiProperty({ ...COUNT, description: 'raw objects younger than RECONCILE_SETTLE_MS: not judged' })
  in_flight!: number;
}

class ReconcileCursorView implements ReconcileCursor {
  @ApiProperty({ description: 'the UTC hour being checked, `YYYY-MM-DDTHH`', example: '2026-11-24T07' })
  hour!: string;
  @ApiProperty({ enum: ['raw', 'index'] }) phase!: 'raw' | 'index';
  @ApiPropertyOptional({ description: 'raw: the S3 folder being listed; index: the source being read' })
  at?: string;
  @ApiPropertyOptional({ description: 'raw: the last key done in `at`; index: the page cursor of `at`' })
  after?: string;
}

export class ReconcileJobView implements ReconcileView {
  @ApiProperty({ format: 'uuid' }) reconcile_id!: string;
  @ApiProperty({ enum: [...RECONCILE_STATUSES] }) status!: ReconcileStatus;
  @ApiProperty({ description: 'false: report only; true: also index `unindexed` events' }) repair!: boolean;
  @ApiProperty({ ...DATE_TIME, description: 'start of the first whole UTC hour checked' }) from!: string;
  @ApiProperty({ ...DATE_TIME, description: 'end of the last whole UTC hour checked' }) to!: string;
  @ApiProperty(NULLABLE_STRING) prefix!: string | null;
  @ApiProperty(NULLABLE_STRING) reason!: string | null;
  @ApiProperty({ description: 'the key id (or `auth-off`) that started the job' }) requested_by!: string;
  @ApiProperty(DATE_TIME) created_at!: string;
  @ApiProperty(NULLABLE_TIME) started_at!: string | null;
  @ApiProperty(NULLABLE_TIME) finished_at!: string | null;
  @ApiProperty(COUNT) hours_total!: number;
  @ApiProperty(COUNT) hours_done!: number;
  @ApiProperty({ type: Number, minimum: 0, maximum: 1, description: 'hours_done / hours_total' })
  progress!: number;
  @ApiProperty({ type: ReconcileCursorView, nullable: true, description: 'null once the job ended' })
  position!: ReconcileCursorView | null;
  @ApiProperty({ type: ReconcileCountsView }) counts!: ReconcileCountsView;
  @ApiProperty({
    ...COUNT,
    description: 'findings that need attention (unindexed not recovered, missing, corrupt, unreadable)',
  })
  problems!: number;
  @ApiProperty(NULLABLE_STRING) error!: string | null;
}

export class ReconcileJobPage implements Page<ReconcileView> {
  @ApiProperty({ type: [ReconcileJobView], description: 'newest first' }) items!: ReconcileJobView[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;
}

export class FindingView implements Finding {
  @ApiProperty({ enum: [...FINDING_KINDS] }) kind!: FindingKind;
  @ApiProperty({ description: 'what the finding is about, unique within the job and kind' }) subject!: string;
  @ApiProperty() s3_key!: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 })
  s3_range?: [number, number];
  @ApiPropertyOptional(EVENT_ID) event_id?: string;
  @ApiPropertyOptional() source?: string;
  @ApiPropertyOptional() type?: string;
  @ApiPropertyOptional(DATE_TIME) occurred_at?: string;
  @ApiPropertyOptional(DATE_TIME) received_at?: string;
  @ApiPropertyOptional({ description: 'why: the integrity problems, or why a member is unreadable' })
  detail?: string;
  @ApiPropertyOptional({ description: 'unreferenced: the key the index holds for that event instead' })
  indexed_s3_key?: string;
  @ApiPropertyOptional({ ...DATE_TIME, description: 'unindexed: when this job’s repair indexed it' })
  recovered_at?: string;
  @ApiProperty(DATE_TIME) found_at!: string;
}

export class FindingPage implements Page<Finding> {
  @ApiProperty({ type: [FindingView] }) items!: FindingView[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;
}
