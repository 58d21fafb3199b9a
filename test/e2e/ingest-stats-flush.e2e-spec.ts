// Counters and activity with the default timed flush (COUNTER_FLUSH_MS > 0): requests do not wait for
// them, they are written within an interval, and a graceful shutdown writes the rest, so no count is lost.
import { hourOf } from '../../src/shared/aws/table-keys';
import { IngestStatsStore } from '../../src/shared/ingest-stats/ingest-stats-store';
import { wireEvent } from '../support/factories';
import { auth, restartTestApp, startTestApp, TestApp } from '../support/test-app';

const waitFor = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('stats counters with a flush interval', () => {
  const ingest = (t: TestApp, source: string, n: number) =>
    Promise.all(
      Array.from({ length: n }, () =>
        t
          .http()
          .post('/ingest')
          .set(auth('producer'))
          .set('content-type', 'application/json')
          .send(JSON.stringify(wireEvent({ source })))
          .expect(201),
      ),
    );
  const rows = (stats: IngestStatsStore, source: string) =>
    stats.counters([hourOf(new Date().toISOString())], source);

  it('answers before writing the counters, and writes every count at a graceful shutdown', async () => {
    const t = await startTestApp('stats-flush', { COUNTER_FLUSH_MS: '60000', COUNTER_SHARDS: '3' });
    const stats = t.app.get(IngestStatsStore);
    const source = `flush-${Date.now()}`;
    await ingest(t, source, 40);
    await t
      .http()
      .post('/ingest/batch')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ events: [wireEvent({ source }), { source, type: 'x' }] }))
      .expect(200);
    // Answered, and nothing written yet: the interval is a minute.
    expect(await rows(stats, source)).toEqual([]);
    const env = t.env;
    await t.close();
    const again = await restartTestApp(env);
    try {
      const written = await rows(again.app.get(IngestStatsStore), source);
      const sum = (k: 'received' | 'accepted' | 'rejected') => written.reduce((n, r) => n + r[k], 0);
      expect([sum('received'), sum('accepted'), sum('rejected')]).toEqual([42, 41, 1]);
      const minutes = await again.app
        .get(IngestStatsStore)
        .activity(source, [new Date().toISOString().slice(0, 10)]);
      expect([...minutes.values()].flat().length).toBeGreaterThan(0);
    } finally {
      await again.close();
    }
  });

  it('writes the counters within an interval while the app runs', async () => {
    const t = await startTestApp('stats-interval', { COUNTER_FLUSH_MS: '200' });
    try {
      const stats = t.app.get(IngestStatsStore);
      const source = `interval-${Date.now()}`;
      await ingest(t, source, 10);
      const [row] = await waitFor(
        () => rows(stats, source),
        (r) => r.length === 1 && r[0].received === 10,
      );
      expect(row.accepted).toBe(10);
    } finally {
      await t.close();
    }
  });
});
