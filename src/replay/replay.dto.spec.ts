import 'reflect-metadata';
import { AppError, FieldProblem } from '../shared/errors/app-error';
import { validateEnv } from '../shared/config/env.config';
import { AppValidationPipe } from '../shared/http/validation.pipe';
import { CreateReplayDto, ListReplaysQueryDto } from './replay.dto';
import { ReplayRequest, toReplayRequest } from './replay-request';

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
const pipe = new AppValidationPipe();

/** What POST /replay does with a body: the global pipe, then the configured limits. */
const parse = async (body: unknown, withEnv = env): Promise<ReplayRequest> => {
  const dto = (await pipe.transform(body, { type: 'body', metatype: CreateReplayDto })) as CreateReplayDto;
  return toReplayRequest(dto, withEnv, ['pointer', 'full', 'cloudevents', 'csv-line']);
};
const failureOf = async (body: unknown): Promise<AppError | undefined> => {
  try {
    await parse(body);
  } catch (err) {
    return err as AppError;
  }
  return undefined;
};
const codeOf = async (body: unknown): Promise<string> => (await failureOf(body))?.code ?? 'ok';

describe('POST /replay body', () => {
  it('applies defaults and normalises the window to UTC', async () => {
    expect(await parse(base)).toEqual({
      filter: { source: 'orders', from: '2026-11-24T23:00:00.000Z', to: '2026-11-25T12:00:00.000Z' },
      dry_run: false,
      max_events: 5000,
      rate_per_second: 50,
      reason: 'why',
      queue: 'main-q',
      format: 'pointer',
    });
  });

  it('takes any registered output format and refuses others, naming the field format', async () => {
    expect((await parse({ ...base, format: 'cloudevents' })).format).toBe('cloudevents');
    expect((await parse({ ...base, format: 'csv-line' })).format).toBe('csv-line');
    const unknown = await failureOf({ ...base, format: 'avro', rate_per_second: 501 });
    expect(unknown?.code).toBe('REPLAY.VALIDATION_FAILED');
    expect(unknown?.details).toEqual([
      { field: 'rate_per_second', message: 'at most 500' },
      { field: 'format', message: 'unknown format; one of pointer, full, cloudevents, csv-line' },
    ]);
    const notText = await failureOf({ ...base, format: 7 });
    expect((notText?.details as FieldProblem[]).map((p) => p.field)).toEqual(['format']);
  });

  it('needs a selector, a window unless event ids are given, and a reason', async () => {
    expect(await codeOf({ ...base, filter: { from: base.filter.from, to: base.filter.to } })).toBe(
      'REPLAY.VALIDATION_FAILED',
    );
    expect(await codeOf({ ...base, filter: { source: 'orders' } })).toBe('REPLAY.VALIDATION_FAILED');
    expect(await codeOf({ filter: base.filter })).toBe('REPLAY.VALIDATION_FAILED');
    expect(await codeOf({ ...base, filter: { event_ids: ['a'.repeat(32), 'a'.repeat(32)] } })).toBe('ok');
    expect(
      (await parse({ ...base, filter: { event_ids: ['a'.repeat(32), 'a'.repeat(32)] } })).filter,
    ).toEqual({
      event_ids: ['a'.repeat(32)],
    });
    expect(await codeOf({ ...base, filter: { event_ids: ['nope'] } })).toBe('REPLAY.VALIDATION_FAILED');
    expect(await codeOf([])).toBe('REPLAY.VALIDATION_FAILED');
    for (const body of [null, 'x', 5, {}, { reason: 'r' }, { filter: null, reason: 'r' }]) {
      expect(await codeOf(body)).toBe('REPLAY.VALIDATION_FAILED');
    }
  });

  it('reports every problem of a request at once, one entry per field', async () => {
    const err = await failureOf({ filter: { type: 'a b' }, max_events: 0, extra: 1 });
    expect(err?.code).toBe('REPLAY.VALIDATION_FAILED');
    const problems = err?.details as FieldProblem[];
    expect(problems.map((p) => p.field).sort()).toEqual([
      'extra',
      'filter',
      'filter.from',
      'filter.to',
      'filter.type',
      'max_events',
      'reason',
    ]);
    expect(problems).toContainEqual({ field: 'extra', message: 'unknown field extra' });
    expect(problems).toContainEqual({
      field: 'filter',
      message: 'give at least one of entity_id, source, event_ids',
    });
    const backwards = await failureOf({ ...base, filter: { ...base.filter, to: '2026-11-24T00:00:00Z' } });
    expect(backwards?.details).toEqual([{ field: 'filter.to', message: 'to must not be before from' }]);
  });

  it('gives each limit its own code', async () => {
    expect(await codeOf({ ...base, max_events: 5000 })).toBe('ok');
    expect(await codeOf({ ...base, max_events: 5001 })).toBe('REPLAY.TOO_MANY_EVENTS');
    expect(await codeOf({ ...base, filter: { ...base.filter, to: '2026-11-27T00:00:00.001+01:00' } })).toBe(
      'REPLAY.WINDOW_TOO_WIDE',
    );
    expect(await codeOf({ ...base, queue: 'other-q' })).toBe('ok');
    expect(await codeOf({ ...base, queue: 'third-q' })).toBe('REPLAY.QUEUE_NOT_ALLOWED');
    expect(await codeOf({ ...base, rate_per_second: 501 })).toBe('REPLAY.VALIDATION_FAILED');
    expect(await codeOf({ ...base, filter: { ...base.filter, to: '2026-11-24T00:00:00Z' } })).toBe(
      'REPLAY.VALIDATION_FAILED',
    );
  });

  it('allows only the main queue when no allow list is configured', async () => {
    const plain = validateEnv({ PIPESCOPE_QUEUE: 'main-q' });
    expect(plain.replayAllowedQueues).toEqual(['main-q']);
    await expect(parse({ ...base, queue: 'other-q' }, plain)).rejects.toThrow(/not in REPLAY_ALLOWED_QUEUES/);
  });
});

describe('GET /replay query', () => {
  const list = (query: unknown) => pipe.transform(query, { type: 'query', metatype: ListReplaysQueryDto });

  it('defaults limit to 20 and takes 1 to 100', async () => {
    await expect(list({})).resolves.toMatchObject({ limit: 20 });
    await expect(list({ limit: '100', cursor: 'abc' })).resolves.toMatchObject({ limit: 100, cursor: 'abc' });
    for (const limit of ['0', '101', '1.5', 'ten']) {
      await expect(list({ limit })).rejects.toMatchObject({
        code: 'REPLAY.VALIDATION_FAILED',
        details: [{ field: 'limit', message: 'an integer from 1 to 100' }],
      });
    }
  });
});
