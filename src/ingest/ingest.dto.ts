// The event a producer sends. Validated item by item (a batch item failing never fails the others),
// so this DTO is checked with validateIngestEvent rather than a route-level pipe.
import { problemsOf } from '../shared/errors/validation-problems';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, Max, Min, validateSync } from 'class-validator';
import { FieldProblem } from '../shared/errors/app-error';
import {
  IsDateTime,
  IsEntityId,
  IsEventType,
  IsSource,
  IsText,
  SOURCE,
  TEXT,
  TEXT_RULE,
  EVENT_TYPE_SCHEMA,
  ENTITY_ID_SCHEMA,
} from '../shared/validation/event-fields';

import { MAX_BATCH_EVENTS } from '../shared/contracts/ingest-limits';

export class IngestEventDto {
  @ApiProperty({ minLength: 1, maxLength: 64, pattern: SOURCE.source, example: 'orders-svc' })
  @IsSource()
  source!: string;

  @ApiProperty({ ...EVENT_TYPE_SCHEMA, example: 'order.created' })
  @IsEventType()
  type!: string;

  @ApiProperty({ ...ENTITY_ID_SCHEMA, example: 'order-123' })
  @IsEntityId()
  entity_id!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'RFC 3339 with an offset (`Z` or `±hh:mm`), a real calendar date',
    example: '2026-11-25T10:00:00.123Z',
  })
  @IsDateTime()
  occurred_at!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { amount: 12.5 } })
  @IsObject({ message: 'payload must be a JSON object' })
  payload!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: 256,
    pattern: TEXT.source,
    description: `printable (${TEXT_RULE}); makes (source, idempotency_key) the identity`,
    example: 'order-123-created',
  })
  @IsOptional()
  @IsText('idempotency_key')
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

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: 64,
    pattern: TEXT.source,
    example: '2',
  })
  @IsOptional()
  @IsText('schema_version', 64)
  schema_version?: string;
}

/** The body of POST /ingest/batch, checked by batchEvents (the envelope) and item by item. */
export class IngestBatchDto {
  @ApiProperty({ type: [IngestEventDto], minItems: 1, maxItems: MAX_BATCH_EVENTS })
  events!: IngestEventDto[];
}

export type ValidEvent = IngestEventDto;

const REQUIRED = ['source', 'type', 'entity_id', 'occurred_at', 'payload'];
const FIELDS = [...REQUIRED, 'idempotency_key', 'sequence', 'schema_version'];
/** An unknown key as a field name: a key can be as long as the body, a problem stays small. */
const shortKey = (key: string): string => (key.length > 64 ? `${key.slice(0, 64)}…` : key);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one event; every problem is reported, each naming its field. */
export function validateIngestEvent(
  value: unknown,
): { ok: true; event: ValidEvent } | { ok: false; problems: FieldProblem[] } {
  if (!isPlainObject(value)) {
    return { ok: false, problems: [{ field: '(body)', message: 'an event must be a JSON object' }] };
  }
  // Only the known fields reach the class transformer, as own properties: a key such as `__proto__`
  // or `constructor` must never become the prototype or the class the validator looks up. The payload
  // is checked as an object only and kept exactly as parsed, for the identity hashes what the raw
  // bytes say.
  const unknown = Object.keys(value).filter((key) => !FIELDS.includes(key));
  const input = Object.fromEntries(
    FIELDS.filter((key) => Object.hasOwn(value, key)).map((key) => [
      key,
      key === 'payload' && isPlainObject(value.payload) ? {} : value[key],
    ]),
  );
  // A plain copy onto the class is all the validator needs (no field is transformed), and only
  // decorated fields are copied, so there is nothing to whitelist: both passes cost more than the rules
  // on the hot path of every event.
  const dto = Object.assign(new IngestEventDto(), input);
  const problems = [
    ...unknown
      .slice(0, 10)
      .map((key) => ({ field: shortKey(key), message: `unknown field ${shortKey(key)}` })),
    ...problemsOf(validateSync(dto, { stopAtFirstError: true })).map((p) =>
      value[p.field] === undefined && REQUIRED.includes(p.field)
        ? { field: p.field, message: `${p.field} is required` }
        : p,
    ),
  ];
  if (problems.length > 0) return { ok: false, problems };
  dto.payload = value.payload as Record<string, unknown>;
  // Optional fields sent as null mean "absent".
  if (dto.idempotency_key === null) delete dto.idempotency_key;
  if (dto.sequence === null) delete dto.sequence;
  if (dto.schema_version === null) delete dto.schema_version;
  return { ok: true, event: dto };
}
