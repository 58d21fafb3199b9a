import { Answer, ServiceError } from './service.client';
import { backoffMs, IngestSender, SenderOptions } from './ingest.sender';
import { Chunk } from './ndjson-batches';

type Reply = Answer<unknown> | ServiceError;

/** A fake service that answers from a script and records each body it was sent. */
function fakeService(replies: ((body: string) => Reply)[]) {
  const sent: { path: string; body: string }[] = [];
  return {
    sent,
    postText: async <T>(path: string, body: string): Promise<Answer<T>> => {
      sent.push({ path, body });
      const next = replies.shift();
      if (!next) throw new Error('no more scripted replies');
      const reply = next(body);
      if (reply instanceof ServiceError) throw reply;
      return reply as Answer<T>;
    },
  };
}

const opts = (sleeps: number[]): SenderOptions => ({
  retries: 3,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  maxErrors: 10,
  sleep: async (ms) => void sleeps.push(ms),
});

const batch = (...nos: number[]): Chunk => ({
  kind: 'batch',
  lines: nos.map((no) => ({ no, text: `{"n":${no}}` })),
  bytes: 0,
});

const results = (...statuses: string[]) => ({
  status: 200,
  body: {
    results: statuses.map((status, index) => ({
      index,
      status,
      ...(status === 'accepted' || status === 'duplicate'
        ? {}
        : { error: { code: `CODE.${status.toUpperCase()}`, message: `${status} item ${index}` } }),
    })),
  },
});

describe('IngestSender', () => {
  it('counts each outcome and keeps the errors with their line numbers', async () => {
    const service = fakeService([() => results('accepted', 'duplicate', 'conflict', 'rejected')]);
    const sender = new IngestSender(service, opts([]));
    await sender.send(batch(3, 4, 7, 9));
    expect(sender.tally).toMatchObject({
      lines: 4,
      accepted: 1,
      duplicates: 1,
      conflicts: 1,
      rejected: 1,
      failed: 0,
    });
    expect(sender.tally.errors).toEqual([
      { line: 7, status: 'conflict', code: 'CODE.CONFLICT', message: 'conflict item 2' },
      { line: 9, status: 'rejected', code: 'CODE.REJECTED', message: 'rejected item 3' },
    ]);
    expect(service.sent[0].body).toBe('{"events":[{"n":3},{"n":4},{"n":7},{"n":9}]}');
  });

  it('resends only the items answered failed, after a growing backoff', async () => {
    const sleeps: number[] = [];
    const service = fakeService([
      () => results('accepted', 'failed', 'failed'),
      () => ({ ...results('failed', 'accepted'), retryAfter: 1 }),
      () => results('accepted'),
    ]);
    const sender = new IngestSender(service, opts(sleeps));
    await sender.send(batch(1, 2, 3));
    expect(service.sent.map((s) => s.body)).toEqual([
      '{"events":[{"n":1},{"n":2},{"n":3}]}',
      '{"events":[{"n":2},{"n":3}]}',
      '{"events":[{"n":2}]}',
    ]);
    expect(sleeps).toEqual([100, 1000]);
    expect(sender.tally).toMatchObject({ accepted: 3, failed: 0, retries: 3 });
  });

  it('gives up after the retries and counts the items failed with the last error', async () => {
    const sleeps: number[] = [];
    const service = fakeService(Array.from({ length: 4 }, () => () => results('failed')));
    const sender = new IngestSender(service, opts(sleeps));
    await sender.send(batch(5));
    expect(service.sent).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 400]);
    expect(sender.tally).toMatchObject({ failed: 1, accepted: 0 });
    expect(sender.tally.errors).toEqual([
      { line: 5, status: 'failed', code: 'CODE.FAILED', message: 'failed item 0' },
    ]);
  });

  it('retries a whole request that got a 503 or no answer', async () => {
    const service = fakeService([
      () =>
        new ServiceError(
          503,
          'STORAGE.UNAVAILABLE',
          'dynamodb is unavailable',
          { dependency: 'dynamodb' },
          1,
        ),
      () => new ServiceError(0, 'NETWORK', 'no answer'),
      () => results('accepted', 'accepted'),
    ]);
    const sleeps: number[] = [];
    const sender = new IngestSender(service, opts(sleeps));
    await sender.send(batch(1, 2));
    expect(sleeps).toEqual([1000, 200]);
    expect(sender.tally).toMatchObject({ accepted: 2, failed: 0, retries: 4 });
  });

  it('stops everything when the key is refused', async () => {
    const service = fakeService([
      () => new ServiceError(401, 'AUTH.INVALID_KEY', 'The API key is not valid'),
    ]);
    await expect(new IngestSender(service, opts([])).send(batch(1))).rejects.toThrow(
      'The API key is not valid',
    );
  });

  it('sends a line that is not JSON alone to POST /ingest, which rejects it', async () => {
    const service = fakeService([() => new ServiceError(400, 'REQUEST.INVALID_JSON', 'Unexpected token')]);
    const sender = new IngestSender(service, opts([]));
    await sender.send({ kind: 'invalid', line: { no: 12, text: '{oops' } });
    expect(service.sent).toEqual([{ path: '/ingest', body: '{oops' }]);
    expect(sender.tally).toMatchObject({ lines: 1, rejected: 1 });
    expect(sender.tally.errors[0]).toMatchObject({ line: 12, code: 'REQUEST.INVALID_JSON' });
  });

  it('keeps only the first errors', async () => {
    const service = fakeService([() => results(...Array.from({ length: 15 }, () => 'rejected'))]);
    const sender = new IngestSender(service, { ...opts([]), maxErrors: 10 });
    await sender.send(batch(...Array.from({ length: 15 }, (_, i) => i + 1)));
    expect(sender.tally.rejected).toBe(15);
    expect(sender.tally.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('caps the backoff and honours a longer Retry-After', () => {
    const o = opts([]);
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffMs(a, o))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffMs(0, o, 5)).toBe(5000);
  });
});
