// The event a producer sends. Validated item by item (a batch item failing never fails the others),
// so this DTO is checked with validateIngestEvent rather than a route-level pipe.
import { problemsOf } from '../shared/errors/validation-problems';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';
import { FieldProblem } from '../shared/errors/app-error';

/** RFC 3339 date-time with a mandatory offset (Z or ±hh:mm). */
export const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const PRINTABLE = /^[^\p{Cc}]+$/u;
/** Most events one POST /ingest/batch may carry. */
export const MAX_BATCH_EVENTS = 500;

export class IngestEventDto {
  @ApiProperty({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9._-]*$', example: 'orders-svc' })
  @IsString()
  @Length(1, 64)
  @Matches(/^[a-z0-9][a-z0-9._-]*$/, { message: 'source must match ^[a-z0-9][a-z0-9._-]*$' })
  source!: string;

  @ApiProperty({ minLength: 1, maxLength: 128, pattern: '^\\S+$', example: 'order.created' })
  @IsString()
  @Length(1, 128)
  @Matches(/^\S+$/, { message: 'type must not contain whitespace' })
  type!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: 256,
    pattern: PRINTABLE.source,
    description: 'printable characters only',
    example: 'order-123',
  })
  @IsString()
  @Length(1, 256)
  @Matches(PRINTABLE, { message: 'entity_id must contain printable characters only' })
  entity_id!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'RFC 3339 with an offset (`Z` or `±hh:mm`), a real calendar date',
    example: '2026-11-25T10:00:00.123Z',
  })
  @IsString()
  @Matches(RFC3339, { message: 'occurred_at must be an RFC 3339 date-time with an offset' })
  occurred_at!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { amount: 12.5 } })
  @IsObject({ message: 'payload must be a JSON object' })
  payload!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: 256,
    pattern: PRINTABLE.source,
    description: 'printable characters; makes (source, idempotency_key) the identity',
    example: 'order-123-created',
  })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  @Matches(PRINTABLE, { message: 'idempotency_key must contain printable characters only' })
  idempotency_key?: string;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'per source and entity, for GET /entities/{entity_id}/sequence-gaps',
    example: 42,
  })
  @IsOptional()
  @IsInt({ message: 'sequence must be an integer' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  sequence?: number;

  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 64, example: '2' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  schema_version?: string;
}

/** The body of POST /ingest/batch, checked by batchEvents (the envelope) and item by item. */
export class IngestBatchDto {
  @ApiProperty({ type: [IngestEventDto], minItems: 1, maxItems: MAX_BATCH_EVENTS })
  events!: IngestEventDto[];
}

export type ValidEvent = IngestEventDto;

const REQUIRED = ['source', 'type', 'entity_id', 'occurred_at', 'payload'];

/** Date.parse rolls 2026-02-31 over to March; a real date must survive the round trip. */
function isRealDateTime(rfc3339: string): boolean {
  const [y, m, d] = rfc3339.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return !isNaN(Date.parse(rfc3339)) && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** Checks one event; every problem is reported, each naming its field. */
export function validateIngestEvent(
  value: unknown,
): { ok: true; event: ValidEvent } | { ok: false; problems: FieldProblem[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problems: [{ field: '(body)', message: 'an event must be a JSON object' }] };
  }
  const dto = plainToInstance(IngestEventDto, value);
  const problems = problemsOf(
    validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true }),
  ).map((p) =>
    (value as Record<string, unknown>)[p.field] === undefined && REQUIRED.includes(p.field)
      ? { field: p.field, message: `${p.field} is required` }
      : p,
  );
  if (
    typeof dto.occurred_at === 'string' &&
    RFC3339.test(dto.occurred_at) &&
    !isRealDateTime(dto.occurred_at)
  ) {
    problems.push({ field: 'occurred_at', message: 'occurred_at is not a real date-time' });
  }
  if (problems.length > 0) return { ok: false, problems };
  // Optional fields sent as null mean "absent".
  if (dto.idempotency_key === null) delete dto.idempotency_key;
  if (dto.sequence === null) delete dto.sequence;
  if (dto.schema_version === null) delete dto.schema_version;
  return { ok: true, event: dto };
}
