// The event a producer sends. Validated item by item (a batch item failing never fails the others),
// so this DTO is checked with validateIngestEvent rather than a route-level pipe.
import { problemsOf } from '../shared/errors/validation-problems';
import { plainToInstance } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Length, Max, Min, validateSync } from 'class-validator';
import { FieldProblem } from '../shared/errors/app-error';
import {
  IsDateTime,
  IsEntityId,
  IsEventType,
  IsPrintableId,
  IsSource,
} from '../shared/validation/event-fields';

export class IngestEventDto {
  @IsSource()
  source!: string;

  @IsEventType()
  type!: string;

  @IsEntityId()
  entity_id!: string;

  @IsDateTime()
  occurred_at!: string;

  @IsObject({ message: 'payload must be a JSON object' })
  payload!: Record<string, unknown>;

  @IsOptional()
  @IsPrintableId('idempotency_key')
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
  if (problems.length > 0) return { ok: false, problems };
  // Optional fields sent as null mean "absent".
  if (dto.idempotency_key === null) delete dto.idempotency_key;
  if (dto.sequence === null) delete dto.sequence;
  if (dto.schema_version === null) delete dto.schema_version;
  return { ok: true, event: dto };
}
