import 'reflect-metadata';
import { AppError } from '../shared/errors/app-error';
import { validateEnv } from '../shared/config/env.config';
import { parseReplayRequest } from './replay.dto';

const env = validateEnv({
  PIPESCOPE_QUEUE: 'main-q',
  REPLAY_ALLOWED_QUEUES: 'main-q,other-q',
  REPLAY_MAX_EVENTS: '5000',
  REPLAY_MAX_WINDOW_DAYS: '2',
  REPLAY_DEFAULT_RATE: '50',
  REPLAY_MAX_RATE: '500',
});
const base = {
  filter: { source: 'orders', from: '2026-11-25T00:00:00+01:00', to: '2026-11-25T12:00:00Z' },
  reason: ' why ',
};
const codeOf = (body: unknown): string => {
  try {
    parseReplayRequest(body, env);
  } catch (err) {
    return (err as AppError).code;
  }
  return 'ok';
};

describe('parseReplayRequest', () => {
  it('applies defaults and normalises the window to UTC', () => {
    expect(parseReplayRequest(base, env)).toEqual({
      filter: { source: 'orders', from: '2026-11-24T23:00:00.000Z', to: '2026-11-25T12:00:00.000Z' },
      dry_run: false,
      max_events: 5000,
      rate_per_second: 50,
      reason: 'why',
      queue: 'main-q',
    });
  });

  it('needs a selector, a window unless event ids are given, and a reason', () => {
    expect(codeOf({ ...base, filter: { from: base.filter.from, to: base.filter.to } })).toBe(
      'REPLAY.VALIDATION_FAILED',
    );
    expect(codeOf({ ...base, filter: { source: 'orders' } })).toBe('REPLAY.VALIDATION_FAILED');
    expect(codeOf({ filter: base.filter })).toBe('REPLAY.VALIDATION_FAILED');
    expect(codeOf({ ...base, filter: { event_ids: ['a'.repeat(32), 'a'.repeat(32)] } })).toBe('ok');
    expect(
      parseReplayRequest({ ...base, filter: { event_ids: ['a'.repeat(32), 'a'.repeat(32)] } }, env).filter,
    ).toEqual({
      event_ids: ['a'.repeat(32)],
    });
    expect(codeOf({ ...base, filter: { event_ids: ['nope'] } })).toBe('REPLAY.VALIDATION_FAILED');
    expect(codeOf([])).toBe('REPLAY.VALIDATION_FAILED');
  });

  it('gives each limit its own code', () => {
    expect(codeOf({ ...base, max_events: 5000 })).toBe('ok');
    expect(codeOf({ ...base, max_events: 5001 })).toBe('REPLAY.TOO_MANY_EVENTS');
    expect(codeOf({ ...base, filter: { ...base.filter, to: '2026-11-27T00:00:00.001+01:00' } })).toBe(
      'REPLAY.WINDOW_TOO_WIDE',
    );
    expect(codeOf({ ...base, queue: 'other-q' })).toBe('ok');
    expect(codeOf({ ...base, queue: 'third-q' })).toBe('REPLAY.QUEUE_NOT_ALLOWED');
    expect(codeOf({ ...base, rate_per_second: 501 })).toBe('REPLAY.VALIDATION_FAILED');
    expect(codeOf({ ...base, filter: { ...base.filter, to: '2026-11-24T00:00:00Z' } })).toBe(
      'REPLAY.VALIDATION_FAILED',
    );
  });

  it('allows only the main queue when no allow list is configured', () => {
    const plain = validateEnv({ PIPESCOPE_QUEUE: 'main-q' });
    expect(plain.replayAllowedQueues).toEqual(['main-q']);
    expect(() => parseReplayRequest({ ...base, queue: 'other-q' }, plain)).toThrow(
      /not in REPLAY_ALLOWED_QUEUES/,
    );
  });
});
