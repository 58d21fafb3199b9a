// What an operator or investigator sends to POST /replay and GET /replay. The global ValidationPipe
// checks the shape and the rules between fields (a selector is required, a window unless event_ids
// are given, from <= to) in one pass, so every problem comes back at once as REPLAY.VALIDATION_FAILED.
// toReplayRequest then applies the configured limits (rate, max_events, window width, queue allow list).
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
import type { ReplayFilter } from './replay-job-store';
import type { Env } from '../shared/config/env.config';
import { AppError, validationError } from '../shared/errors/app-error';
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

const given = (value: unknown): boolean => value !== undefined && value !== null;
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

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    description: 'default REPLAY_DEFAULT_RATE, at most REPLAY_MAX_RATE',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  rate_per_second?: number;

  @ApiProperty({
    minLength: 1,
    maxLength: 1000,
    pattern: '\\S',
    description: 'why; kept in the audit log',
    example: 're-run after the pricing fix',
  })
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @Length(1, 1000)
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
  @ApiProperty({
    minLength: 1,
    maxLength: 1000,
    pattern: '\\S',
    description: 'why; kept in the audit log',
    example: 'the consumer was down',
  })
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @Length(1, 1000)
  reason!: string;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    description: 'default REPLAY_DEFAULT_RATE, at most REPLAY_MAX_RATE',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  rate_per_second?: number;
}

/** A request that passed every check, with defaults applied and times normalised to UTC. */
export interface ReplayRequest {
  filter: ReplayFilter;
  dry_run: boolean;
  max_events: number;
  rate_per_second: number;
  reason: string;
  queue: string;
}

const utc = (iso: string): string => new Date(iso).toISOString();

/** Applies the configured limits (each its own code) and defaults to a validated request. */
export function toReplayRequest(dto: CreateReplayDto, env: Env): ReplayRequest {
  if (dto.rate_per_second !== undefined && dto.rate_per_second > env.REPLAY_MAX_RATE) {
    throw validationError('REPLAY.VALIDATION_FAILED', [
      { field: 'rate_per_second', message: `at most ${env.REPLAY_MAX_RATE}` },
    ]);
  }
  const maxEvents = dto.max_events ?? Math.min(DEFAULT_MAX_EVENTS, env.REPLAY_MAX_EVENTS);
  if (maxEvents > env.REPLAY_MAX_EVENTS) {
    throw new AppError(
      'REPLAY.TOO_MANY_EVENTS',
      `max_events ${maxEvents} is over the limit of ${env.REPLAY_MAX_EVENTS} (REPLAY_MAX_EVENTS)`,
      [{ field: 'max_events', message: `at most ${env.REPLAY_MAX_EVENTS}` }],
    );
  }
  const f = dto.filter;
  if (f.from && f.to) {
    const days = (Date.parse(f.to) - Date.parse(f.from)) / 86_400_000;
    if (days > env.REPLAY_MAX_WINDOW_DAYS) {
      throw new AppError(
        'REPLAY.WINDOW_TOO_WIDE',
        `the window spans ${days.toFixed(1)} days; at most ${env.REPLAY_MAX_WINDOW_DAYS} (REPLAY_MAX_WINDOW_DAYS)`,
        [{ field: 'filter.to', message: `window at most ${env.REPLAY_MAX_WINDOW_DAYS} days` }],
      );
    }
  }
  const queue = dto.queue ?? env.PIPESCOPE_QUEUE;
  if (!env.replayAllowedQueues.includes(queue)) {
    throw new AppError('REPLAY.QUEUE_NOT_ALLOWED', `queue ${queue} is not in REPLAY_ALLOWED_QUEUES`, [
      { field: 'queue', message: `one of ${env.replayAllowedQueues.join(', ')}` },
    ]);
  }
  const filter: ReplayFilter = {
    ...(given(f.entity_id) ? { entity_id: f.entity_id } : {}),
    ...(given(f.source) ? { source: f.source } : {}),
    ...(given(f.type) ? { type: f.type } : {}),
    ...(given(f.from) ? { from: utc(f.from!) } : {}),
    ...(given(f.to) ? { to: utc(f.to!) } : {}),
    ...(given(f.event_ids) ? { event_ids: [...new Set(f.event_ids)] } : {}),
  };
  return {
    filter,
    dry_run: dto.dry_run ?? false,
    max_events: maxEvents,
    rate_per_second: dto.rate_per_second ?? env.REPLAY_DEFAULT_RATE,
    reason: dto.reason.trim(),
    queue,
  };
}
