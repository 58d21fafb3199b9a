// What an operator or investigator sends to POST /replay and GET /replay. The global ValidationPipe
// checks the shape and the rules between fields (a selector is required, a window unless event_ids
// are given, from <= to) in one pass, so every problem comes back at once as REPLAY.VALIDATION_FAILED.
// toReplayRequest (replay-request.ts) then applies the configured limits.
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ValidationCode } from '../shared/http/validation.pipe';
import {
  isDateTime,
  IsDateTime,
  IsEntityId,
  IsEventType,
  IsSource,
  ENTITY_ID_SCHEMA,
  EVENT_TYPE_SCHEMA,
} from '../shared/validation/event-fields';

export const DEFAULT_MAX_EVENTS = 10000;
/** Kept small enough that the filter fits in the job item (DynamoDB items are at most 400 KB). */
export const MAX_EVENT_IDS = 1000;

export const given = (value: unknown): boolean => value !== undefined && value !== null;
/** A window is needed unless event_ids are given; a given bound is checked either way. */
const needsWindow = (f: ReplayFilterDto, bound: 'from' | 'to'): boolean =>
  !given(f.event_ids) || given(f[bound]);

const HasSelector = () =>
  ValidateBy({
    name: 'hasSelector',
    validator: {
      // Not an object at all is IsObject's to report.
      validate: (f: unknown) => {
        if (typeof f !== 'object' || f === null) return true;
        const { entity_id, source, event_ids } = f as ReplayFilterDto;
        return given(entity_id) || given(source) || given(event_ids);
      },
      defaultMessage: () => 'give at least one of entity_id, source, event_ids',
    },
  });

const NotBeforeFrom = () =>
  ValidateBy({
    name: 'notBeforeFrom',
    validator: {
      // A bound that is not a date-time is reported on its own, not as an order problem too.
      validate: (to: string, args) => {
        const { from } = args?.object as ReplayFilterDto;
        return !isDateTime(from) || !isDateTime(to) || !(Date.parse(from) > Date.parse(to));
      },
      defaultMessage: () => 'to must not be before from',
    },
  });

/** Why the operator asks: required, not blank, kept in the audit log. */
const Reason = (example: string) =>
  applyDecorators(
    ApiProperty({
      minLength: 1,
      maxLength: 1000,
      pattern: '\\S',
      description: 'why; kept in the audit log',
      example,
    }),
    IsString(),
    Matches(/\S/, { message: 'reason must not be blank' }),
    Length(1, 1000),
  );

/** Messages sent per second; the configured limit is applied by toReplayRequest (replay-request.ts). */
const RatePerSecond = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      nullable: true,
      minimum: 1,
      description: 'default REPLAY_DEFAULT_RATE, at most REPLAY_MAX_RATE',
    }),
    IsOptional(),
    IsInt(),
    Min(1),
  );

export class ReplayFilterDto {
  @ApiPropertyOptional({ ...ENTITY_ID_SCHEMA, type: String, nullable: true })
  @IsOptional()
  @IsEntityId()
  entity_id?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: 64,
    pattern: '^[a-z0-9][a-z0-9._-]*$',
    example: 'orders-svc',
  })
  @IsOptional()
  @IsSource()
  source?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    ...EVENT_TYPE_SCHEMA,
    example: 'order.created',
  })
  @IsOptional()
  @IsEventType()
  type?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'RFC 3339 with an offset; required unless event_ids is given',
    example: '2026-11-25T00:00:00Z',
  })
  @ValidateIf((f: ReplayFilterDto) => needsWindow(f, 'from'))
  @IsDefined({ message: 'from is required unless event_ids is given' })
  @IsDateTime()
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'RFC 3339 with an offset, not before from; required unless event_ids is given',
    example: '2026-11-26T00:00:00Z',
  })
  @ValidateIf((f: ReplayFilterDto) => needsWindow(f, 'to'))
  @IsDefined({ message: 'to is required unless event_ids is given' })
  @IsDateTime()
  @NotBeforeFrom()
  to?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    nullable: true,
    minItems: 1,
    maxItems: MAX_EVENT_IDS,
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_EVENT_IDS)
  @Matches(/^[0-9a-f]{32}$/, { each: true, message: 'each event id must be 32 lowercase hex characters' })
  event_ids?: string[];
}

@ValidationCode('REPLAY.VALIDATION_FAILED')
export class CreateReplayDto {
  @ApiProperty({
    type: ReplayFilterDto,
    description: 'at least one of entity_id, source, event_ids; a from..to window unless event_ids is given',
  })
  @IsObject({ message: 'filter must be an object' })
  @HasSelector()
  @ValidateNested()
  @Type(() => ReplayFilterDto)
  filter!: ReplayFilterDto;

  @ApiPropertyOptional({
    type: Boolean,
    nullable: true,
    default: false,
    description: 'true answers the plan and creates nothing',
  })
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    description: `default ${DEFAULT_MAX_EVENTS}, at most REPLAY_MAX_EVENTS`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  max_events?: number;

  @RatePerSecond()
  rate_per_second?: number;

  @Reason('re-run after the pricing fix')
  reason!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: 80,
    description: 'default PIPESCOPE_QUEUE; must be in REPLAY_ALLOWED_QUEUES',
  })
  @IsOptional()
  @IsString()
  @Length(1, 80)
  queue?: string;

  @ApiPropertyOptional({
    default: 'pointer',
    minLength: 1,
    maxLength: 64,
    examples: ['pointer', 'full', 'cloudevents'],
    description:
      'output format of the messages: pointer (default), full, cloudevents, or a format registered in code (docs/extending.md)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  format?: string;
}

const LIMIT_MESSAGE = { message: 'an integer from 1 to 100' };

@ValidationCode('REPLAY.VALIDATION_FAILED')
export class ListReplaysQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt(LIMIT_MESSAGE)
  @Min(1, LIMIT_MESSAGE)
  @Max(100, LIMIT_MESSAGE)
  limit: number = 20;

  @ApiPropertyOptional({ description: 'opaque cursor: the next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

/** What an operator sends to POST /replay/{id}/resend. */
@ValidationCode('REPLAY.VALIDATION_FAILED')
export class ResendReplayDto {
  @Reason('the consumer was down')
  reason!: string;

  @RatePerSecond()
  rate_per_second?: number;
}
