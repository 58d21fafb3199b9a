// The whole loop through the public API: ingest a history, replay it with POST /replay, let the
// in-process consumer aggregate it, and read versions back; then replay again (no new version) and
// add a late event (the next version, whose diff names it).
import { auth, startTestApp, TestApp } from '../support/test-app';
import { expectedAggregates, WireEvent } from '../support/factories';

const DAY = '2026-11-18';
const ENTITIES = ['pipe-a', 'pipe-b'];

function history(): WireEvent[] {
  const events: WireEvent[] = [];
  let n = 0;
  for (const entity_id of ENTITIES) {
    for (const hour of ['08', '09']) {
      for (let k = 0; k < 3; k++) {
        n += 1;
        events.push({
          source: 'pipeline-src',
          type: k === 2 ? 'order.paid' : 'order.created',
          entity_id,
          occurred_at: `${DAY}T${hour}:${String(10 + k * 7).padStart(2, '0')}:00.000Z`,
          payload: { n },
        });
      }
    }
  }
  return events;
}

/** Aggregates as the issue defines them, computed from what was sent, not from the app. */
const expectedValues = (events: WireEvent[]) => Object.fromEntries(expectedAggregates(events));

describe('ingest, replay and processor together', () => {
  let t: TestApp;
  const operator = () => auth('operator');

  const replay = async (filter: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const res = await t
      .http()
      .post('/replay')
      .set(operator())
      .send({ filter, reason: 'pipeline test', rate_per_second: 200 })
      .expect(202);
    const id = res.body.replay_id as string;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = (await t.http().get(`/replay/${id}`).set(operator()).expect(200)).body;
      if (job.status === 'completed' && job.processed === job.matched) return job;
      if (Date.now() > deadline) throw new Error(`replay ${id} did not finish: ${JSON.stringify(job)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const aggregates = async (): Promise<Record<string, { version: number; value: unknown }>> => {
    const out: Record<string, { version: number; value: unknown }> = {};
    for (const entity of ENTITIES) {
      const res = await t
        .http()
        .get(`/aggregates?entity_id=${entity}&from=${DAY}T00:00:00Z&to=${DAY}T23:59:59Z`)
        .set(auth('investigator'))
        .expect(200);
      for (const item of res.body.items) out[item.key] = { version: item.version, value: item.value };
    }
    return out;
  };

  beforeAll(async () => {
    t = await startTestApp('pipeline', { PROCESSOR_WAIT_TIME_S: '1', REPLAY_POLL_MS: '300' });
  });
  afterAll(() => t.close());

  it('replays a history into versioned aggregates, idempotently, and versions a late event', async () => {
    const events = history();
    const ingested = await t.http().post('/ingest/batch').set(auth('producer')).send({ events }).expect(200);
    expect(ingested.body.accepted).toBe(events.length);
    const window = {
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 3_600_000).toISOString(),
    };

    const first = await replay({ source: 'pipeline-src', ...window });
    expect(first).toMatchObject({ matched: 12, sent: 12, failed: 0, processed: 12 });
    const v1 = await aggregates();
    expect(Object.fromEntries(Object.entries(v1).map(([k, a]) => [k, a.value]))).toEqual(
      expectedValues(events),
    );
    // A bucket's messages handled in different batches make successive versions; count them.
    expect(Object.keys(v1)).toHaveLength(4);

    // The same events again: processed, but no bucket gets a new version.
    const again = await replay({ source: 'pipeline-src', ...window });
    expect(again).toMatchObject({ matched: 12, processed: 12 });
    expect(await aggregates()).toEqual(v1);

    // A late event lands in pipe-a's 08:00 bucket; replaying just it makes v2 of that bucket only.
    const late: WireEvent = {
      source: 'pipeline-src',
      type: 'order.refunded',
      entity_id: 'pipe-a',
      occurred_at: `${DAY}T08:59:00.000Z`,
      payload: { late: true },
    };
    const lateRes = await t.http().post('/ingest').set(auth('producer')).send(late).expect(201);
    await replay({ event_ids: [lateRes.body.event_id] });
    const v2 = await aggregates();
    const key = `pipe-a@${DAY}T08`;
    expect(v2[key]).toEqual({ version: v1[key].version + 1, value: expectedValues([...events, late])[key] });
    for (const other of Object.keys(v1).filter((k) => k !== key)) expect(v2[other]).toEqual(v1[other]);
    const diff = await t
      .http()
      .get(`/aggregates/${encodeURIComponent(key)}/diff?from=${v1[key].version}&to=${v2[key].version}`)
      .set(auth('investigator'))
      .expect(200);
    expect(diff.body.added_event_ids).toEqual([lateRes.body.event_id]);
    expect(diff.body.removed_event_ids).toEqual([]);
  });
});
