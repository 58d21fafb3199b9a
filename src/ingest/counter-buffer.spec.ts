import { StorageUnavailableError } from '../shared/errors/app-error';
import {
  ActivityMinutes,
  CounterDelta,
  CounterRow,
  emptyCounterDelta,
  IngestStatsStore,
  UnwrittenError,
} from '../shared/ingest-stats/ingest-stats-store';
import { CounterBuffer } from './counter-buffer';

/** An in-memory store that adds like DynamoDB's ADD and fails the writes it is told to. */
class FakeStats extends IngestStatsStore {
  readonly rows = new Map<string, number>();
  readonly activityMinutes = new Set<string>();
  calls = 0;
  /** Each call takes the next behaviour: 'ok', 'down' (nothing written) or 'half' (first row only). */
  plan: ('ok' | 'down' | 'half' | 'invalid')[] = [];

  async addCounters(deltas: CounterDelta[]): Promise<void> {
    this.calls += 1;
    const mode = this.plan.shift() ?? 'ok';
    if (mode === 'invalid') throw new Error('ValidationException');
    if (mode === 'down')
      throw new UnwrittenError(deltas, new StorageUnavailableError('dynamodb', 'UpdateItem'));
    const written = mode === 'half' ? deltas.slice(0, 1) : deltas;
    for (const d of written) this.rows.set(d.source, (this.rows.get(d.source) ?? 0) + d.received);
    if (mode === 'half') {
      throw new UnwrittenError(deltas.slice(1), new StorageUnavailableError('dynamodb', 'UpdateItem'));
    }
  }

  async markActivity(entries: ActivityMinutes[]): Promise<void> {
    for (const e of entries) for (const m of e.minutes) this.activityMinutes.add(`${e.source}|${m}`);
  }

  counters(): Promise<CounterRow[]> {
    throw new Error('not used');
  }

  activity(): Promise<Map<string, number[]>> {
    throw new Error('not used');
  }
}

const delta = (source: string, received = 1): CounterDelta => ({
  ...emptyCounterDelta(source, 't', '2026-11-25T10'),
  received,
});
const waitFor = async (done: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('CounterBuffer', () => {
  it('shares one write among requests arriving together', async () => {
    const stats = new FakeStats();
    const buffer = new CounterBuffer(stats);
    await Promise.all([buffer.add([delta('a')], []), buffer.add([delta('a', 2)], [])]);
    expect(stats.calls).toBe(1);
    expect(stats.rows.get('a')).toBe(3);
  });

  it('keeps rows a write could not make and writes them on a retry, exactly once', async () => {
    const stats = new FakeStats();
    stats.plan = ['half', 'down'];
    const failures: number[] = [];
    const buffer = new CounterBuffer(stats, (_err, pending) => failures.push(pending));
    // The request is answered although its counters are not written yet.
    await buffer.add(
      [delta('a'), delta('b'), delta('c')],
      [{ source: 'a', day: '2026-11-25', minutes: [1] }],
    );
    expect(stats.rows.get('a')).toBe(1);
    // While retries are pending, requests do not wait for them.
    await buffer.add([delta('b', 10)], []);
    await waitFor(() => buffer.pendingRows === 0);
    expect(Object.fromEntries(stats.rows)).toEqual({ a: 1, b: 11, c: 1 });
    expect(failures).toEqual([2, 2]);
    expect(stats.activityMinutes).toEqual(new Set(['a|1']));
  });

  it('writes what is pending at close, and logs in full what it still cannot', async () => {
    const stats = new FakeStats();
    stats.plan = ['down'];
    const buffer = new CounterBuffer(stats);
    await buffer.add([delta('a')], []);
    await buffer.close();
    expect(stats.rows.get('a')).toBe(1);

    const failing = new FakeStats();
    failing.plan = ['down', 'down'];
    const logged = new CounterBuffer(failing);
    const error = jest.spyOn(logged['logger'], 'error').mockImplementation(() => undefined);
    await logged.add([delta('z', 7)], []);
    await logged.close();
    expect(failing.calls).toBe(2);
    expect(error).toHaveBeenCalledWith(
      expect.objectContaining({ op: 'counter.unwritten', reason: 'shutdown', counters: [delta('z', 7)] }),
      expect.any(String),
    );
  });

  it('logs rows a retry cannot fix instead of retrying them forever', async () => {
    const stats = new FakeStats();
    stats.plan = ['invalid'];
    const buffer = new CounterBuffer(stats);
    const error = jest.spyOn(buffer['logger'], 'error').mockImplementation(() => undefined);
    await buffer.add([delta('x')], []);
    expect(buffer.pendingRows).toBe(0);
    expect(error).toHaveBeenCalledWith(
      expect.objectContaining({ op: 'counter.unwritten', reason: 'not_retryable' }),
      expect.any(String),
    );
  });

  describe('with a flush interval', () => {
    it('answers at once and writes each row once per interval, whatever the number of requests', async () => {
      const stats = new FakeStats();
      const buffer = new CounterBuffer(stats, undefined, 100);
      for (let i = 0; i < 50; i++) await buffer.add([delta('a'), delta('b', 2)], []);
      expect(stats.calls).toBe(0);
      await waitFor(() => stats.calls === 1);
      expect(Object.fromEntries(stats.rows)).toEqual({ a: 50, b: 100 });
      await buffer.add([delta('a')], []);
      await new Promise((r) => setTimeout(r, 30));
      expect(stats.calls).toBe(1);
      await waitFor(() => stats.calls === 2);
      expect(stats.rows.get('a')).toBe(51);
      await buffer.close();
    });

    it('writes what is pending at close without waiting for the interval', async () => {
      const stats = new FakeStats();
      const buffer = new CounterBuffer(stats, undefined, 60_000);
      await buffer.add([delta('a', 3)], [{ source: 'a', day: '2026-11-25', minutes: [7] }]);
      await buffer.close();
      expect(stats.rows.get('a')).toBe(3);
      expect(stats.activityMinutes).toEqual(new Set(['a|7']));
    });

    it('retries a failed flush no sooner than the interval, and loses nothing', async () => {
      const stats = new FakeStats();
      stats.plan = ['down'];
      const buffer = new CounterBuffer(stats, undefined, 300);
      await buffer.add([delta('a')], []);
      await waitFor(() => stats.calls === 1);
      const failedAt = Date.now();
      await buffer.add([delta('a', 4)], []);
      await waitFor(() => stats.calls === 2);
      expect(Date.now() - failedAt).toBeGreaterThanOrEqual(250);
      expect(stats.rows.get('a')).toBe(5);
      await buffer.close();
    });
  });

  it('writes a minute of activity once: minutes already written are not sent again', async () => {
    const stats = new FakeStats();
    const sent: number[][] = [];
    const mark = stats.markActivity.bind(stats);
    stats.markActivity = (entries: ActivityMinutes[]) => {
      sent.push(entries.flatMap((e) => e.minutes));
      return mark(entries);
    };
    const buffer = new CounterBuffer(stats);
    const minute = (m: number) => [{ source: 'a', day: '2026-11-25', minutes: [m] }];
    await buffer.add([delta('a')], minute(5));
    await buffer.add([delta('a')], minute(5));
    await buffer.add([], minute(5));
    await buffer.add([delta('a')], minute(6));
    expect(sent).toEqual([[5], [6]]);
    expect(stats.rows.get('a')).toBe(3);
  });
});
