import { ReplayRunner } from '../../src/replay/replay.runner';
import { events, ingestHistory, waitForJob } from '../support/replay';
import { pollUntil } from '../support/replay-messages';
import { auth, startTestApp, TestApp } from '../support/test-app';

const WINDOW = {
  from: new Date(Date.now() - 3_600_000).toISOString(),
  to: new Date(Date.now() + 3_600_000).toISOString(),
};
/** The checkpoint interval of this test, in batches of 10: the most a crash may send again. */
const INTERVAL = 4;

/** Messages SQS accepted for replays of this app, as /metrics counts them (resent ones included). */
async function sentTotal(t: TestApp): Promise<number> {
  const text = (await t.http().get('/metrics').expect(200)).text;
  const line = /^pipescope_replay_messages_total\{outcome="sent"\} (\d+)$/m.exec(text);
  return line ? Number(line[1]) : 0;
}

describe('replay resume bound', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('replay-resume', {
      PROCESSOR_WAIT_TIME_S: '1',
      REPLAY_POLL_MS: '300',
      REPLAY_SEND_CONCURRENCY: '3',
      REPLAY_CHECKPOINT_BATCHES: String(INTERVAL),
      REPLAY_CHECKPOINT_MS: '1000',
    });
  });
  afterAll(() => t.close());

  it('after a crash mid-run sends at most one checkpoint interval again, and the processor counts each event once', async () => {
    const source = `resume-${Date.now()}`;
    const history = await ingestHistory(t, events(300, { source }));
    const res = await t
      .http()
      .post('/replay')
      .set(auth('operator'))
      .set('content-type', 'application/json')
      .send(
        JSON.stringify({
          filter: { source, ...WINDOW },
          rate_per_second: 100,
          reason: 'resume bound',
        }),
      )
      .expect(202);
    const id = res.body.replay_id as string;
    await waitForJob(t, id, (j) => j.sent >= 100);
    // Crash the run where it stands: no checkpoint of what was sent since the last one, lease kept.
    expect(t.app.get(ReplayRunner).abandon(id)).toBe(true);
    const done = await waitForJob(t, id, (j) => j.status === 'completed', 30_000);
    expect(done).toMatchObject({ matched: 300, sent: 300, failed: 0 });
    const resent = (await sentTotal(t)) - 300;
    expect(resent).toBeGreaterThanOrEqual(0);
    expect(resent).toBeLessThanOrEqual(INTERVAL * 10);
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
  });
});
