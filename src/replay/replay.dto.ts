// What an operator or investigator sends to POST /replay, and the checks beyond shape: a selector
// is required, the window is bounded, max_events is capped, the queue is allow-listed.
import { problemsOf } from '../shared/errors/validation-problems';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Min,
  ValidateNested,
  validateSync,
} from 'class-validator';
import type { ReplayFilter } from './replay-job-store';
import type { Env } from '../shared/config/env.config';
import { AppError, validationError } from '../shared/errors/app-error';
import { IsDateTime, IsEntityId, IsEventType, IsSource } from '../shared/validation/event-fields';

export const DEFAULT_MAX_EVENTS = 10000;
/** Kept small enough that the filter fits in the job item (DynamoDB items are at most 400 KB). */
export const MAX_EVENT_IDS = 1000;

export class ReplayFilterDto {
  @IsOptional() @IsEntityId() entity_id?: string;
  @IsOptional() @IsSource() source?: string;
  @IsOptional() @IsEventType() type?: string;
  @IsOptional() @IsDateTime() from?: string;
  @IsOptional() @IsDateTime() to?: string;
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_EVENT_IDS)
  @Matches(/^[0-9a-f]{32}$/, { each: true, message: 'each event id must be 32 lowercase hex characters' })
  event_ids?: string[];
}

export class CreateReplayDto {
  @IsObject({ message: 'filter must be an object' })
  @ValidateNested()
  @Type(() => ReplayFilterDto)
  filter!: ReplayFilterDto;
  @IsOptional() @IsBoolean() dry_run?: boolean;
  @IsOptional() @IsInt() @Min(1) max_events?: number;
  @IsOptional() @IsInt() @Min(1) rate_per_second?: number;
  @IsString() @Matches(/\S/, { message: 'reason must not be blank' }) @Length(1, 1000) reason!: string;
  @IsOptional() @IsString() @Length(1, 80) queue?: string;
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

export function parseReplayRequest(body: unknown, env: Env): ReplayRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationError('REPLAY.VALIDATION_FAILED', [
      { field: '(body)', message: 'must be a JSON object' },
    ]);
  }
  const dto = plainToInstance(CreateReplayDto, body);
  const problems = problemsOf(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }));
  if (problems.length > 0) throw validationError('REPLAY.VALIDATION_FAILED', problems);
  const f = dto.filter;
  if (!f.entity_id && !f.source && !f.event_ids) {
    problems.push({ field: 'filter', message: 'give at least one of entity_id, source, event_ids' });
  }
  if (!f.event_ids) {
    if (!f.from)
      problems.push({ field: 'filter.from', message: 'from is required unless event_ids is given' });
    if (!f.to) problems.push({ field: 'filter.to', message: 'to is required unless event_ids is given' });
  }
  if (f.from && f.to && Date.parse(f.from) > Date.parse(f.to)) {
    problems.push({ field: 'filter.to', message: 'to must not be before from' });
  }
  if (dto.rate_per_second !== undefined && dto.rate_per_second > env.REPLAY_MAX_RATE) {
    problems.push({ field: 'rate_per_second', message: `at most ${env.REPLAY_MAX_RATE}` });
  }
  if (problems.length > 0) throw validationError('REPLAY.VALIDATION_FAILED', problems);

  const maxEvents = dto.max_events ?? Math.min(DEFAULT_MAX_EVENTS, env.REPLAY_MAX_EVENTS);
  if (maxEvents > env.REPLAY_MAX_EVENTS) {
    throw new AppError(
      'REPLAY.TOO_MANY_EVENTS',
      `max_events ${maxEvents} is over the limit of ${env.REPLAY_MAX_EVENTS} (REPLAY_MAX_EVENTS)`,
      [{ field: 'max_events', message: `at most ${env.REPLAY_MAX_EVENTS}` }],
    );
  }
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
    ...(f.entity_id !== undefined ? { entity_id: f.entity_id } : {}),
    ...(f.source !== undefined ? { source: f.source } : {}),
    ...(f.type !== undefined ? { type: f.type } : {}),
    ...(f.from !== undefined ? { from: utc(f.from) } : {}),
    ...(f.to !== undefined ? { to: utc(f.to) } : {}),
    ...(f.event_ids !== undefined ? { event_ids: [...new Set(f.event_ids)] } : {}),
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
