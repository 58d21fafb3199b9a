// The rules of the event's fields, defined once: ingest validates events with them, and every query
// parameter, path segment, replay filter and aggregate read that names a field checks it the same
// way, so nothing ingest accepts is refused by a read and no read accepts what ingest would refuse.
import { applyDecorators } from '@nestjs/common';
import { IsString, Length, Matches, NotEquals, ValidateBy } from 'class-validator';

/** RFC 3339 date-time with a mandatory offset (Z or ±hh:mm). */
export const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
export const SOURCE = /^[a-z0-9][a-z0-9._-]*$/;
/**
 * Text that every key builder, URL, queue attribute and JSON parser carries unchanged: no control
 * characters, no unpaired surrogates (not representable in UTF-8) and no noncharacters (U+FFFE, U+FFFF
 * and kin, which SQS and XML refuse).
 */
export const TEXT = /^[^\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]+$/u;
export const TEXT_RULE = 'no control characters, unpaired surrogates or noncharacters';
const text = (field: string) => ({
  message: `${field} must contain printable characters only (${TEXT_RULE})`,
});
/** The UTC range of every time pipescope stores: four-digit years, so string order is time order. */
export const EARLIEST_MS = Date.parse('0000-01-01T00:00:00.000Z');
export const LATEST_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** The proleptic Gregorian calendar's days in a month (year 0 is a leap year, as in ISO 8601). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Why an RFC 3339-shaped string is not a real instant, or undefined when it is one. Date.parse rolls
 * 2026-02-31 over to March and refuses a leap second; the UTC form must stay within the years 0000 to
 * 9999, which every stored key and window assumes.
 */
export function unrealDateTime(value: string): string | undefined {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  if (day > daysInMonth(year, month)) return 'is not a real date-time';
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return 'is not a real date-time';
  if (ms < EARLIEST_MS || ms > LATEST_MS) {
    return 'must fall between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z once converted to UTC';
  }
  return undefined;
}

/** True for an RFC 3339 date-time with an offset that names a real instant. */
export const isDateTime = (value: unknown): value is string =>
  typeof value === 'string' && RFC3339.test(value) && unrealDateTime(value) === undefined;

/** An RFC 3339 date-time with an offset that names a real instant; the message names the field. */
export const IsDateTime = (): PropertyDecorator =>
  ValidateBy({
    name: 'isRfc3339DateTime',
    validator: {
      validate: isDateTime,
      defaultMessage: (args) => {
        const value: unknown = args?.value;
        const field = args?.property ?? 'value';
        return typeof value === 'string' && RFC3339.test(value)
          ? `${field} ${unrealDateTime(value)}`
          : `${field} must be an RFC 3339 date-time with an offset`;
      },
    },
  });

export const IsSource = (): PropertyDecorator =>
  applyDecorators(
    IsString(),
    Length(1, 64),
    Matches(SOURCE, { message: 'source must match ^[a-z0-9][a-z0-9._-]*$' }),
  );

export const IsEventType = (): PropertyDecorator =>
  applyDecorators(
    IsString(),
    Length(1, 128),
    Matches(TEXT, text('type')),
    Matches(/^\S+$/, { message: 'type must not contain whitespace' }),
    NotEquals('__proto__', { message: 'type must not be __proto__' }),
  );

/** Free text of 1 to `max` characters (code points) under the TEXT rule: ids, keys, versions. */
export const IsText = (field: string, max = 256): PropertyDecorator =>
  applyDecorators(IsString(), Length(1, max), Matches(TEXT, text(field)));

export const IsEntityId = (): PropertyDecorator => IsText('entity_id');

/** The OpenAPI schema keywords of IsEntityId, for its @ApiProperty. */
export const ENTITY_ID_SCHEMA = {
  minLength: 1,
  maxLength: 256,
  pattern: TEXT.source,
  description: `printable characters only: ${TEXT_RULE}`,
};
/** The OpenAPI schema keywords of IsEventType, for its @ApiProperty. */
export const EVENT_TYPE_SCHEMA = {
  minLength: 1,
  maxLength: 128,
  pattern: '^\\S+$',
  allOf: [{ pattern: TEXT.source }],
  not: { enum: ['__proto__'] },
  description: `no whitespace, printable (${TEXT_RULE}), not \`__proto__\``,
};
