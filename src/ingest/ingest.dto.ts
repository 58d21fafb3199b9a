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
  NotEquals,
  validateSync,
} from 'class-validator';
import { FieldProblem } from '../shared/errors/app-error';

/** RFC 3339 date-time with a mandatory offset (Z or ±hh:mm). */
export const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
/**
 * Text that every key builder, URL, queue attribute and JSON parser carries unchanged: no control
 * characters, no unpaired surrogates (not representable in UTF-8) and no noncharacters (U+FFFE, U+FFFF
 * and kin, which SQS and XML refuse).
 */
export const TEXT = /^[^\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]+$/u;
const TEXT_RULE = 'no control characters, unpaired surrogates or noncharacters';
const text = (field: string) => ({
  message: `${field} must contain printable characters only (${TEXT_RULE})`,
});
/** The UTC range of every time pipescope stores: four-digit years, so string order is time order. */
export const EARLIEST_MS = Date.parse('0000-01-01T00:00:00.000Z');
export const LATEST_MS = Date.parse('9999-12-31T23:59:59.999Z');

export class IngestEventDto {
  @IsString()
  @Length(1, 64)
  @Matches(/^[a-z0-9][a-z0-9._-]*$/, { message: 'source must match ^[a-z0-9][a-z0-9._-]*$' })
  source!: string;

  @IsString()
  @Length(1, 128)
  @Matches(/^\S+$/, { message: 'type must not contain whitespace' })
  @Matches(TEXT, text('type'))
  @NotEquals('__proto__', { message: 'type must not be __proto__' })
  type!: string;

  @IsString()
  @Length(1, 256)
  @Matches(TEXT, text('entity_id'))
  entity_id!: string;

  @IsString()
  @Matches(RFC3339, { message: 'occurred_at must be an RFC 3339 date-time with an offset' })
  occurred_at!: string;

  @IsObject({ message: 'payload must be a JSON object' })
  payload!: Record<string, unknown>;

  @IsOptional()
  @IsString()
  @Length(1, 256)
  @Matches(TEXT, text('idempotency_key'))
  idempotency_key?: string;

  @IsOptional()
  @IsInt({ message: 'sequence must be an integer' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  sequence?: number;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(TEXT, text('schema_version'))
  schema_version?: string;
}

export type ValidEvent = IngestEventDto;

const REQUIRED = ['source', 'type', 'entity_id', 'occurred_at', 'payload'];
const FIELDS = [...REQUIRED, 'idempotency_key', 'sequence', 'schema_version'];
/** An unknown key as a field name: a key can be as long as the body, a problem stays small. */
const shortKey = (key: string): string => (key.length > 64 ? `${key.slice(0, 64)}…` : key);

/** Date.parse rolls 2026-02-31 over to March; a real date must survive the round trip. */
function isRealDateTime(rfc3339: string): boolean {
  const [y, m, d] = rfc3339.slice(0, 10).split('-').map(Number);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0 to 99 as 1900 to 1999.
  const day = new Date(0);
  day.setUTCFullYear(y, m - 1, d);
  return !isNaN(Date.parse(rfc3339)) && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** Problems of occurred_at beyond its shape: a real date, and in UTC still a four-digit year. */
function occurredAtProblem(value: unknown): FieldProblem | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  if (!isRealDateTime(value)) return { field: 'occurred_at', message: 'occurred_at is not a real date-time' };
  const ms = Date.parse(value);
  if (ms < EARLIEST_MS || ms > LATEST_MS) {
    return {
      field: 'occurred_at',
      message:
        'occurred_at must fall between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z once converted to UTC',
    };
  }
  return undefined;
}

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
  const dto = plainToInstance(IngestEventDto, input);
  const problems = [
    ...unknown
      .slice(0, 10)
      .map((key) => ({ field: shortKey(key), message: `unknown field ${shortKey(key)}` })),
    ...problemsOf(validateSync(dto, { whitelist: true, stopAtFirstError: true })).map((p) =>
      value[p.field] === undefined && REQUIRED.includes(p.field)
        ? { field: p.field, message: `${p.field} is required` }
        : p,
    ),
  ];
  const when = occurredAtProblem(dto.occurred_at);
  if (when) problems.push(when);
  if (problems.length > 0) return { ok: false, problems };
  dto.payload = value.payload as Record<string, unknown>;
  // Optional fields sent as null mean "absent".
  if (dto.idempotency_key === null) delete dto.idempotency_key;
  if (dto.sequence === null) delete dto.sequence;
  if (dto.schema_version === null) delete dto.schema_version;
  return { ok: true, event: dto };
}
