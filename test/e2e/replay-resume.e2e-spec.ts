import { ReplayRunner } from '../../src/replay/replay.runner';
import { events, ingestHistory, waitForJob } from '../support/replay';
import { pollUntil } from '../support/replay-messages';
import { auth, startTestApp, TestApp } from '../support/test-app';

const WINDOW = {
  from: new Date(Date.now() - 3_600_000).toISOString(),
  to: new Date(Date.now() + 3_600_000).toISOString(),
};
/** Messages per second of these replays, and SendMessageBatch calls each keeps in flight. */
const RATE = 100;
const IN_FLIGHT = 3;

/** Messages SQS accepted for replays of this app, as /metrics counts them (resent ones included). */
async function sentTotal(t: TestApp): Promise<number> {
  const text = (await t.http().get('/metrics').expect(200)).text;
  const line = /^pipescope_replay_messages_total\{outcome="sent"\} (\d+)$/m.exec(text);
  return line ? Number(line[1]) : 0;
}

/**
 * Replays `count` events, crashes the run once its stored checkpoint shows `crashAt` sent (no
 * checkpoint of what was sent since, lease kept), lets it resume to the end, and checks that at most
 * `maxResent` messages were sent twice and that the processor counted each event once.
 */
async function crashAndResume(t: TestApp, count: number, crashAt: number, maxResent: number) {
  const source = `resume-${Date.now()}`;
  const history = await ingestHistory(t, events(count, { source }));
  const res = await t
    .http()
    .post('/replay')
    .set(auth('operator'))
    .set('content-type', 'application/json')
    .send(JSON.stringify({ filter: { source, ...WINDOW }, rate_per_second: RATE, reason: 'resume bound' }))
    .expect(202);
  const id = res.body.replay_id as string;
  // `sent` is what the stored checkpoint says: it only moves when a checkpoint is written.
  await waitForJob(t, id, (j) => j.sent >= crashAt);
  expect(t.app.get(ReplayRunner).abandon(id)).toBe(true);
  const done = await waitForJob(t, id, (j) => j.status === 'completed', 30_000);
  expect(done).toMatchObject({ matched: count, sent: count, failed: 0 });
  const resent = (await sentTotal(t)) - count;
  expect(resent).toBeGreaterThanOrEqual(0);
  expect(resent).toBeLessThanOrEqual(maxResent);
  // Every event, resent ones too, is processed; each counts once.
  const processed = await pollUntil(
    async () => (await t.http().get(`/replay/${id}`).set(auth('investigator')).expect(200)).body,
    (j) => j.processed >= history.length && j.unprocessed === null,
    60_000,
  );
  expect(processed.processed).toBe(history.length);
  await new Promise((r) => setTimeout(r, 1500));
  const after = (await t.http().get(`/replay/${id}`).set(auth('investigator')).expect(200)).body;
  expect(after.processed).toBe(history.length);
}

/** An app that runs these replays (and processes them), with `overrides` on top. */
const resumeApp = (label: string, overrides: Record<string, string> = {}): Promise<TestApp> =>
  startTestApp(label, {
    PROCESSOR_WAIT_TIME_S: '1',
    REPLAY_POLL_MS: '300',
    REPLAY_SEND_CONCURRENCY: String(IN_FLIGHT),
    ...overrides,
  });

describe('replay resume bound', () => {
  describe('by batches', () => {
    /** The checkpoint interval of this test, in batches of 10: the most a crash may send again. */
    const INTERVAL = 4;
    let t: TestApp;

    beforeAll(async () => {
      t = await resumeApp('replay-resume', {
        REPLAY_CHECKPOINT_BATCHES: String(INTERVAL),
        REPLAY_CHECKPOINT_MS: '1000',
      });
    });
    afterAll(() => t.close());

    it('after a crash mid-run sends at most one checkpoint interval again, and the processor counts each event once', async () => {
      await crashAndResume(t, 300, 100, INTERVAL * 10);
    });
  });

  describe('by time, at the default interval', () => {
    let t: TestApp;

    beforeAll(async () => {
      // REPLAY_CHECKPOINT_BATCHES and REPLAY_CHECKPOINT_MS left at their defaults (1000 batches, 1 s):
      // at 100 messages/s no batch count is ever reached, so every checkpoint before the end is the
      // one-second one.
      t = await resumeApp('replay-resume-time');
    });
    afterAll(() => t.close());

    it('checkpoints once a second, so a crash sends again about a second of sending, not the run so far', async () => {
      expect(t.env.REPLAY_CHECKPOINT_BATCHES).toBe(1000);
      expect(t.env.REPLAY_CHECKPOINT_MS).toBe(1000);
      // docs/replay.md: a second of sending plus the checkpoint write in flight and the batches in
      // flight. Two seconds' worth (230) covers a write slowed by a loaded machine, and stays below the
      // run so far (at least 300 sent when it crashes).
      await crashAndResume(t, 500, 300, 2 * RATE + IN_FLIGHT * 10);
    });
  });
});
