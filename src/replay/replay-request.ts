// A replay request that passed the DTO's checks, with the configured limits applied (rate, max_events,
// window width, queue allow list, output format), each with its own code, and defaults filled in.
import type { Env } from '../shared/config/env.config';
import { AppError, validationError } from '../shared/errors/app-error';
import type { ReplayFilter } from './replay-job-store';
import { CreateReplayDto, DEFAULT_MAX_EVENTS, given } from './replay.dto';

/** A request that passed every check, with defaults applied and times normalised to UTC. */
export interface ReplayRequest {
  filter: ReplayFilter;
  dry_run: boolean;
  max_events: number;
  rate_per_second: number;
  reason: string;
  queue: string;
  /** The output format of the messages, one registered on this instance. */
  format: string;
}

const utc = (iso: string): string => new Date(iso).toISOString();

/**
 * Applies the configured limits (each its own code) and defaults to a validated request; `formats`
 * are the output formats registered here.
 */
export function toReplayRequest(dto: CreateReplayDto, env: Env, formats: readonly string[]): ReplayRequest {
  const problems = [
    ...(dto.rate_per_second !== undefined && dto.rate_per_second > env.REPLAY_MAX_RATE
      ? [{ field: 'rate_per_second', message: `at most ${env.REPLAY_MAX_RATE}` }]
      : []),
    ...(dto.format !== undefined && !formats.includes(dto.format)
      ? [{ field: 'format', message: `unknown format; one of ${formats.join(', ')}` }]
      : []),
  ];
  if (problems.length > 0) throw validationError('REPLAY.VALIDATION_FAILED', problems);
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
    format: dto.format ?? 'pointer',
  };
}
