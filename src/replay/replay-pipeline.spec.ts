import { Logger } from '@nestjs/common';
import type { FormattedMessage, ReplayFormats } from './replay-formats';
import type { ReplayJob, ReplayJobStore } from './replay-job-store';
import type { ManifestEntry, ManifestReader } from './replay-manifest';
import { entryId, entryIndex, PREPARE_BLOCK, SEND_ATTEMPTS, SendPipeline } from './replay-pipeline';
import type { ReplayMetrics } from './replay.metrics';
import type { QueuePublisher } from '../shared/queue/queue-publisher';

const entry = (id: string) => ({ event_id: id }) as ManifestEntry;
const job = {
  replay_id: 'r-1',
  queue: 'q',
  rate_per_second: 1000,
  next_index: 0,
  sent: 0,
  failed: 0,
} as ReplayJob;

const settings = {
  owner: 'me',
  format: 'pointer',
  concurrency: 1,
  leaseMs: 60_000,
  interval: 100,
  everyMs: 1000,
  stop: () => undefined,
};

/**
 * A run over `count` entries (event ids `e-<index>`) through fakes: the reader's asks, each call's
 * entry ids and the event ids its messages carry (as their bodies).
 */
async function runOver(count: number, format: (id: string) => FormattedMessage | Promise<FormattedMessage>) {
  const all = Array.from({ length: count }, (_, i) => entry(`e-${i}`));
  const asked: number[] = [];
  const calls: string[][] = [];
  const events: string[][] = [];
  const pipeline = new SendPipeline(
    { ...job, rate_per_second: 1_000_000 },
    {
      jobs: { checkpoint: () => Promise.resolve('running') } as unknown as ReplayJobStore,
      queue: {
        sendBatch: (_q: string, messages: { id: string; body: string }[]) => {
          calls.push(messages.map((m) => m.id));
          events.push(messages.map((m) => m.body));
          return Promise.resolve({ sent: messages.map((m) => m.id), messageIds: {}, failed: [] });
        },
      } as unknown as QueuePublisher,
      formats: {
        // Synchronous when `format` is, as the pointer format is.
        message: (_f: string, _r: string, e: ManifestEntry, id: string) => {
          const m = format(id);
          return m instanceof Promise
            ? m.then((x) => ({ ...x, body: e.event_id }))
            : { ...m, body: e.event_id };
        },
      } as unknown as ReplayFormats,
      metrics: { batchSent: () => undefined } as unknown as ReplayMetrics,
      // Parts of 1,000 entries: a slice never crosses one.
      reader: {
        slice: (from: number, n: number) => {
          asked.push(n);
          return Promise.resolve(all.slice(from, Math.min(from + n, (Math.floor(from / 1000) + 1) * 1000)));
        },
      } as unknown as ManifestReader,
      logger: new Logger('test'),
    },
    { ...settings, concurrency: 4, matched: count },
  );
  const { end, at } = await pipeline.run();
  return { end, at, asked, calls, events };
}

/** A queue that refuses one event's message (its body) as the sender's fault; each call's entry ids. */
function refusingQueue(eventId: string) {
  const calls: string[][] = [];
  const queue = {
    sendBatch: (_q: string, messages: { id: string; body: string }[]) => {
      calls.push(messages.map((m) => m.id));
      const refused = (m: { body: string }) => m.body === eventId;
      return Promise.resolve({
        sent: messages.filter((m) => !refused(m)).map((m) => m.id),
        messageIds: {},
        failed: messages
          .filter(refused)
          .map((m) => ({ id: m.id, code: 'InvalidParameterValue', retryable: false })),
      });
    },
  } as unknown as QueuePublisher;
  return { queue, calls };
}

/** A logger that keeps the fields of every warning. */
function warningsLogger() {
  const warnings: Record<string, unknown>[] = [];
  const logger = { warn: (fields: Record<string, unknown>) => warnings.push(fields) } as unknown as Logger;
  return { logger, warnings };
}

/** A pipeline's parts around `queue`: checkpoints acknowledged at once, a manifest of `matched` entries. */
function parts(queue: QueuePublisher, logger: Logger, matched: number) {
  return {
    jobs: { checkpoint: () => Promise.resolve('running') } as unknown as ReplayJobStore,
    queue,
    metrics: { batchSent: () => undefined } as unknown as ReplayMetrics,
    reader: {
      slice: (from: number, n: number) =>
        Promise.resolve(
          Array.from({ length: Math.min(n, matched - from) }, (_, i) => entry(`e-${from + i}`)),
        ),
    } as unknown as ManifestReader,
    logger,
  };
}

const sent = (id: string): FormattedMessage => ({
  id,
  body: '{}',
  attributes: {},
  bytes: 2,
  oversize: false,
});

describe('SendPipeline', () => {
  it('retries an entry SQS keeps refusing as retryable, then counts it failed and logs which was given up', async () => {
    const calls: string[][] = [];
    // Entry 1 is accepted; entry 0 fails as SQS's fault (throttled) on every attempt.
    const queue = {
      sendBatch: (_q: string, messages: { id: string }[]) => {
        calls.push(messages.map((m) => m.id));
        return Promise.resolve({
          sent: messages.filter((m) => m.id !== '0').map((m) => m.id),
          messageIds: {},
          failed: messages
            .filter((m) => m.id === '0')
            .map((m) => ({ id: m.id, code: 'ThrottlingException', retryable: true })),
        });
      },
    } as unknown as QueuePublisher;
    const warnings: Record<string, unknown>[] = [];
    const logger = { warn: (fields: Record<string, unknown>) => warnings.push(fields) } as unknown as Logger;
    const batches: [number, number][] = [];
    const pipeline = new SendPipeline(
      job,
      {
        jobs: { checkpoint: () => Promise.resolve('running') } as unknown as ReplayJobStore,
        queue,
        formats: {
          message: (_f: string, _r: string, _e: ManifestEntry, id: string) => sent(id),
        } as unknown as ReplayFormats,
        metrics: {
          batchSent: (_q: string, sent: number, failed: number) => batches.push([sent, failed]),
        } as unknown as ReplayMetrics,
        reader: { slice: () => Promise.resolve([entry('e-0'), entry('e-1')]) } as unknown as ManifestReader,
        logger,
      },
      { ...settings, matched: 2 },
    );
    const { end, at } = await pipeline.run();
    expect(end).toBe('done');
    expect(at).toMatchObject({ next: 2, sent: 1, failed: 1 });
    expect(calls).toEqual([['0', '1'], ...Array.from({ length: SEND_ATTEMPTS - 1 }, () => ['0'])]);
    expect(batches).toEqual([[1, 1]]);
    expect(warnings.map((w) => w.attempt)).toEqual(Array.from({ length: SEND_ATTEMPTS }, (_, i) => i + 1));
    expect(warnings.at(-1)).toMatchObject({ op: 'replay.send_failed', given_up: 1 });
    // Each failure names its entry's manifest index.
    expect(warnings.every((w) => (w.failures as { index: number }[])[0].index === 0)).toBe(true);
    expect(warnings.slice(0, -1).every((w) => !('given_up' in w))).toBe(true);
  }, 10_000);

  it('names a failed entry and a message too large by their manifest index, resumed mid-manifest', async () => {
    const { queue } = refusingQueue('e-14');
    const { logger, warnings } = warningsLogger();
    const pipeline = new SendPipeline(
      { ...job, next_index: 13 },
      {
        ...parts(queue, logger, 17),
        formats: {
          message: (_f: string, _r: string, e: ManifestEntry, id: string) => ({
            ...sent(id),
            body: e.event_id,
            oversize: e.event_id === 'e-15',
          }),
        } as unknown as ReplayFormats,
      },
      { ...settings, matched: 17 },
    );
    const { at } = await pipeline.run();
    expect(at).toMatchObject({ next: 17, sent: 2, failed: 2 });
    expect(warnings.find((w) => w.op === 'replay.message_too_large')).toMatchObject({ index: 15 });
    expect(warnings.find((w) => w.op === 'replay.send_failed')).toMatchObject({
      failures: [{ id: '4', index: 14, code: 'InvalidParameterValue', retryable: false }],
    });
  });

  it('keeps ids distinct in calls the size limit cuts short, across a tenth entry, and logs their indexes', async () => {
    const { queue, calls } = refusingQueue('e-10');
    const { logger, warnings } = warningsLogger();
    const pipeline = new SendPipeline(
      job,
      {
        ...parts(queue, logger, 20),
        formats: {
          // 80 KiB each: three fit under 256 KiB, so calls hold entries 0-2, 3-5, 6-8, 9-11, ...
          message: (_f: string, _r: string, e: ManifestEntry, id: string) => ({
            ...sent(id),
            body: e.event_id,
            bytes: 80 * 1024,
          }),
        } as unknown as ReplayFormats,
      },
      { ...settings, matched: 20 },
    );
    const { at } = await pipeline.run();
    expect(at).toMatchObject({ next: 20, sent: 19, failed: 1 });
    expect(calls.slice(0, 4)).toEqual([
      ['0', '1', '2'],
      ['3', '4', '5'],
      ['6', '7', '8'],
      ['9', '0', '1'],
    ]);
    expect(calls.every((ids) => new Set(ids).size === ids.length)).toBe(true);
    expect(warnings.find((w) => w.op === 'replay.send_failed')).toMatchObject({
      failures: [{ id: '0', index: 10 }],
    });
  });

  it('formats a block of entries at once for a synchronous format, and sends them in calls of 10, each once', async () => {
    const { end, at, asked, calls, events } = await runOver(1234, sent);
    expect(end).toBe('done');
    expect(at).toMatchObject({ next: 1234, sent: 1234, failed: 0 });
    expect(asked.every((n) => n === PREPARE_BLOCK)).toBe(true);
    expect(asked).toHaveLength(13);
    expect(calls.every((c) => c.length <= 10)).toBe(true);
    expect(
      events
        .flat()
        .map((e) => Number(e.slice('e-'.length)))
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 1234 }, (_, i) => i));
  });

  it("gives each call's entries distinct ids, the last digit of their manifest index", async () => {
    const { calls, events } = await runOver(1234, sent);
    calls.forEach((ids, k) => {
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(events[k].map((e) => String(Number(e.slice('e-'.length)) % 10)));
    });
  });

  it("finds the manifest index of an entry id from the index of its call's first entry", () => {
    for (const first of [0, 3, 9, 10, 12_345, 99_999_997]) {
      for (let index = first; index < first + 10; index++) {
        expect(entryIndex(first, entryId(index))).toBe(index);
      }
    }
  });

  it('keeps at most one call of raw reads pending for a format that reads, and then reads a call at a time', async () => {
    let pending = 0;
    let most = 0;
    const reading = async (id: string): Promise<FormattedMessage> => {
      pending += 1;
      most = Math.max(most, pending);
      await new Promise((resolve) => setTimeout(resolve, 1));
      pending -= 1;
      return sent(id);
    };
    const { at, asked, calls } = await runOver(150, reading);
    expect(at).toMatchObject({ next: 150, sent: 150 });
    expect(most).toBeLessThanOrEqual(10);
    expect(asked[0]).toBe(PREPARE_BLOCK);
    expect(asked.slice(1).every((n) => n === 10)).toBe(true);
    expect(calls.flat()).toHaveLength(150);
  });

  it("fails the run, leaving nothing unhandled, when a formatter throws while another event's message is pending", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Event 0's message waits on a raw read that fails; event 1's formatter throws at once.
      const formats = {
        message: (_format: string, _replay: string, e: ManifestEntry): Promise<FormattedMessage> => {
          if (e.event_id === 'e-1') throw new Error('formatter refused e-1');
          return new Promise((_, reject) => setTimeout(() => reject(new Error('raw read failed')), 10));
        },
      } as unknown as ReplayFormats;
      const pipeline = new SendPipeline(
        job,
        {
          jobs: {} as ReplayJobStore,
          queue: {} as QueuePublisher,
          formats,
          metrics: {} as ReplayMetrics,
          reader: { slice: () => Promise.resolve([entry('e-0'), entry('e-1')]) } as unknown as ManifestReader,
          logger: new Logger('test'),
        },
        {
          owner: 'me',
          format: 'custom',
          matched: 2,
          concurrency: 1,
          leaseMs: 60_000,
          interval: 100,
          everyMs: 1000,
          stop: () => undefined,
        },
      );
      await expect(pipeline.run()).rejects.toThrow('formatter refused e-1');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  /** A run over `matched` entries whose reader is `slice`, with every checkpoint written kept. */
  function runWith(matched: number, slice: (from: number, n: number) => Promise<ManifestEntry[]>) {
    const checkpoints: { next_index: number; sent: number }[] = [];
    const pipeline = new SendPipeline(
      { ...job, rate_per_second: 1_000_000 },
      {
        jobs: {
          checkpoint: (_id: string, _owner: string, at: { next_index: number; sent: number }) => {
            checkpoints.push(at);
            return Promise.resolve('running');
          },
        } as unknown as ReplayJobStore,
        queue: {
          // Each call answers a little later, so calls are still in flight when a read fails.
          sendBatch: async (_q: string, messages: { id: string }[]) => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            return { sent: messages.map((m) => m.id), messageIds: {}, failed: [] };
          },
        } as unknown as QueuePublisher,
        formats: {
          message: (_f: string, _r: string, _e: ManifestEntry, id: string) => sent(id),
        } as unknown as ReplayFormats,
        metrics: { batchSent: () => undefined } as unknown as ReplayMetrics,
        reader: { slice } as unknown as ManifestReader,
        logger: new Logger('test'),
      },
      { ...settings, concurrency: 4, matched },
    );
    return { run: () => pipeline.run(), checkpoints };
  }

  it('lets the calls in flight finish and checkpoints what they sent before throwing when a block cannot be read', async () => {
    const all = Array.from({ length: 300 }, (_, i) => entry(`e-${i}`));
    const { run, checkpoints } = runWith(300, (from, n) =>
      from < PREPARE_BLOCK
        ? Promise.resolve(all.slice(from, from + n))
        : Promise.reject(new Error('part unreadable')),
    );
    await expect(run()).rejects.toThrow('part unreadable');
    // The first block's ten calls were all acknowledged, and that is the checkpoint a resume starts from.
    expect(checkpoints.at(-1)).toMatchObject({ next_index: PREPARE_BLOCK, sent: PREPARE_BLOCK });
  });

  it('fails, rather than asking again forever, when the manifest ends before the count its header gives', async () => {
    const all = Array.from({ length: 30 }, (_, i) => entry(`e-${i}`));
    let asks = 0;
    const { run } = runWith(50, (from, n) => {
      // Without the check, the run would ask for entry 30 again and again: stopped here, and it fails.
      if (++asks > 100) return Promise.reject(new Error('asked again and again'));
      return Promise.resolve(all.slice(from, from + n));
    });
    await expect(run()).rejects.toThrow('the manifest holds no entry 30');
    expect(asks).toBe(2);
  });
});
