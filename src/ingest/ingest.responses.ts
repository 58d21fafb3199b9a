// The answers of the ingest routes as the OpenAPI document describes them; each class implements the
// type the code returns, so a field added there without a line here does not compile.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AcceptedResult, BatchItemResult, BatchResult, DuplicateResult } from './ingest-model';
import type { IngestOutcome } from './ingest.metrics';

const EVENT_ID = { pattern: '^[0-9a-f]{32}$', example: 'c15bccf4fd6002cfc62d94c733215ed0' };

export class IngestAccepted implements AcceptedResult {
  @ApiProperty(EVENT_ID) event_id!: string;
  @ApiProperty({ enum: ['accepted'] }) status!: 'accepted';
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:01.204Z' }) received_at!: string;
  @ApiProperty({
    description: 'the raw object holding the event exactly as received',
    example:
      'raw/source=orders-svc/date=2026-11-25/hour=10/c15bccf4fd6002cfc62d94c733215ed0-0af302e1f246938a.json',
  })
  s3_key!: string;
  @ApiProperty({ type: 'integer', description: 'received_at minus occurred_at', example: 1081 })
  lag_ms!: number;
  @ApiProperty({ description: 'lag_ms over the source’s late threshold' }) late!: boolean;
  @ApiProperty({ description: 'occurred more than 5 minutes after it was received' }) future!: boolean;
}

export class IngestDuplicate implements DuplicateResult {
  @ApiProperty(EVENT_ID) event_id!: string;
  @ApiProperty({ enum: ['duplicate'] }) status!: 'duplicate';
  @ApiProperty({ format: 'date-time', description: 'of this repeat' }) received_at!: string;
  @ApiProperty({ format: 'date-time', description: 'of the stored event' }) first_received_at!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'repeats so far, this one included' })
  duplicate_count!: number;
}

class ItemError {
  @ApiProperty({
    enum: [
      'INGEST.VALIDATION_FAILED',
      'INGEST.PAYLOAD_TOO_DEEP',
      'INGEST.SCHEMA_VIOLATION',
      'INGEST.IDEMPOTENCY_CONFLICT',
      'STORAGE.UNAVAILABLE',
    ],
  })
  code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({
    description: 'field problems (rejected), the two payload hashes (conflict) or the dependency (failed)',
    oneOf: [
      {
        type: 'array',
        items: {
          type: 'object',
          required: ['field', 'message'],
          properties: { field: { type: 'string' }, message: { type: 'string' } },
        },
      },
      { type: 'object' },
    ],
  })
  details?: unknown;
}

const OUTCOMES: IngestOutcome[] = ['accepted', 'duplicate', 'conflict', 'rejected', 'failed'];

export class BatchItemOutcome implements BatchItemResult {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'position in `events`' }) index!: number;
  @ApiPropertyOptional({ ...EVENT_ID, description: 'absent when the item was rejected' })
  event_id?: string;
  @ApiProperty({ enum: OUTCOMES }) status!: IngestOutcome;
  @ApiPropertyOptional({ type: ItemError, description: 'for conflict, rejected and failed items' })
  error?: ItemError;
}

export class BatchOutcome implements BatchResult {
  @ApiProperty({ type: 'integer', minimum: 0 }) accepted!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) duplicates!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) conflicts!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) rejected!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'not stored (storage failure); safe to resend' })
  failed!: number;
  @ApiProperty({ type: [BatchItemOutcome], description: 'one per item, in request order' })
  results!: BatchItemOutcome[];
}
