// The event a producer sends. Validated item by item (a batch item failing never fails the others),
// so this DTO is checked with validateIngestEvent rather than a route-level pipe.
import { problemsOf } from '../shared/errors/validation-problems';
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
import { jsonProblem } from '../shared/http/json-limits';

/** RFC 3339 date-time with a mandatory offset (Z or ±hh:mm). */
export const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const PRINTABLE = /^[^\p{Cc}]+$/u;

export class IngestEventDto {
  @IsString()
  @Length(1, 64)
  @Matches(/^[a-z0-9][a-z0-9._-]*$/, { message: 'source must match ^[a-z0-9][a-z0-9._-]*$' })
  source!: string;

  @IsString()
  @Length(1, 128)
  @Matches(/^\S+$/, { message: 'type must not contain whitespace' })
  type!: string;

  @IsString()
  @Length(1, 256)
  @Matches(PRINTABLE, { message: 'entity_id must contain printable characters only' })
  entity_id!: string;

  @IsString()
  @Matches(RFC3339, { message: 'occurred_at must be an RFC 3339 date-time with an offset' })
  occurred_at!: string;

  @IsObject({ message: 'payload must be a JSON object' })
  payload!: Record<string, unknown>;

  @IsOptional()
  @IsString()
  @Length(1, 256)
  @Matches(PRINTABLE, { message: 'idempotency_key must contain printable characters only' })
  idempotency_key?: string;

  @IsOptional()
  @IsInt({ message: 'sequence must be an integer' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  sequence?: number;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  schema_version?: string;
}

export type ValidEvent = IngestEventDto;

const REQUIRED = ['source', 'type', 'entity_id', 'occurred_at', 'payload'];

/** Date.parse rolls 2026-02-31 over to March; a real date must survive the round trip. */
function isRealDateTime(rfc3339: string): boolean {
  const [y, m, d] = rfc3339.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return !isNaN(Date.parse(rfc3339)) && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

export type EventCheck =
  | { ok: true; event: ValidEvent }
  | { ok: false; code: 'INGEST.VALIDATION_FAILED' | 'INGEST.PAYLOAD_TOO_DEEP'; problems: FieldProblem[] };

/**
 * Checks one event; every problem is reported, each naming its field. A payload nested deeper than
 * `maxPayloadDepth` (the payload object is level 1) is INGEST.PAYLOAD_TOO_DEEP; a number no double can
 * hold is a validation problem naming its field.
 */
export function validateIngestEvent(value: unknown, maxPayloadDepth: number): EventCheck {
  const invalid = (problems: FieldProblem[]): EventCheck => ({
    ok: false,
    code: 'INGEST.VALIDATION_FAILED',
    problems,
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid([{ field: '(body)', message: 'an event must be a JSON object' }]);
  }
  const payload = (value as Record<string, unknown>).payload;
  const payloadProblem =
    typeof payload === 'object' && payload !== null
      ? jsonProblem(payload, maxPayloadDepth, 'payload')
      : undefined;
  if (payloadProblem?.kind === 'depth') {
    const { field, message } = payloadProblem;
    return { ok: false, code: 'INGEST.PAYLOAD_TOO_DEEP', problems: [{ field, message }] };
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
  if (payloadProblem) problems.push({ field: payloadProblem.field, message: payloadProblem.message });
  if (problems.length > 0) return invalid(problems);
  // Optional fields sent as null mean "absent".
  if (dto.idempotency_key === null) delete dto.idempotency_key;
  if (dto.sequence === null) delete dto.sequence;
  if (dto.schema_version === null) delete dto.schema_version;
  return { ok: true, event: dto };
}
