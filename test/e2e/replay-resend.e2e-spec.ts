// A replay whose processing stays below what it sent, once the queue has drained, names the events it
// never processed; POST /replay/{id}/resend sends exactly those again, and the original completes.
import { EventIndex } from '../../src/shared/events/event-index';
import { QueuePublisher } from '../../src/shared/queue/queue-publisher';
import { RawStore } from '../../src/shared/raw/raw-store';
import { aroundNow, wireEvent } from '../support/factories';
import { pollUntil } from '../support/replay-messages';
import { ReplayJobBody } from '../support/replay';
import { auth, startTestApp, TestApp } from '../support/test-app';

describe('replay: unprocessed events and resend', () => {
  let t: TestApp;
  let raw: RawStore;
  let index: EventIndex;
  let queue: QueuePublisher;
  const source = `resend-${Date.now()}`;
  const job = async (id: string): Promise<ReplayJobBody> =>
    (await t.http().get(`/replay/${id}`).set(auth('investigator')).expect(200)).body;
  const resend = (id: string, role: 'operator' | 'investigator' = 'operator') =>
    t
      .http()
      .post(`/replay/${id}/resend`)
      .set(auth(role))
      .send({ reason: 'raw objects restored (INC-42)', rate_per_second: 50 });

  beforeAll(async () => {
    t = await startTestApp('replay-resend', {
      QUEUE_MAX_RECEIVE_COUNT: '1',
      QUEUE_VISIBILITY_TIMEOUT_S: '1',
      PROCESSOR_WAIT_TIME_S: '1',
      REPLAY_POLL_MS: '300',
    });
    raw = t.app.get(RawStore);
    index = t.app.get(EventIndex);
    queue = t.app.get(QueuePublisher);
  });
  afterAll(() => t.close());

  it('shows the unprocessed event ids once the queue drains, and resends exactly those', async () => {
    // Four events processable, two whose raw objects are made unreadable before the replay.
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await t
        .http()
        .post('/ingest')
        .set(auth('producer'))
        .send(wireEvent({ source }))
        .expect(201);
      ids.push(res.body.event_id as string);
    }
    const broken = ids.slice(0, 2);
    const kept = new Map<string, { key: string; bytes: Buffer }>();
    for (const id of broken) {
      const record = (await index.getEvent(id))!;
      kept.set(id, { key: record.s3_key, bytes: await raw.get(record.s3_key) });
      await raw.put(record.s3_key, Buffer.from('{"not":"the event"}'), 'application/json');
    }

    const created = await t
      .http()
      .post('/replay')
      .set(auth('operator'))
      .send({ filter: { source, ...aroundNow() }, reason: 'resend test', rate_per_second: 50 })
      .expect(202);
    const replayId = created.body.replay_id as string;
    const done = await pollUntil(
      () => job(replayId),
      (j) => j.unprocessed !== null && j.unprocessed !== undefined,
      60_000,
      250,
    );
    expect(done).toMatchObject({ status: 'completed', matched: 6, sent: 6, processed: 4, resend_of: null });
    expect(done.unprocessed).toEqual({ count: 2, event_ids: expect.any(Array), truncated: false });
    expect([...done.unprocessed.event_ids].sort()).toEqual([...broken].sort());
    // The dead-letter queue holds exactly those two messages.
    const dead = await pollUntil(
      async () => queue.depth(t.env.deadLetterQueue),
      (d) => d.visible === 2,
    );
    expect(dead.visible).toBe(2);

    // Investigators may look but not resend; the fix comes first, then the resend.
    await resend(replayId, 'investigator').expect(403);
    for (const { key, bytes } of kept.values()) await raw.put(key, bytes, 'application/json');
    const again = await resend(replayId).expect(202);
    expect(again.headers.location).toBe(`/replay/${again.body.replay_id}`);
    expect(again.body).toMatchObject({
      resend_of: replayId,
      matched: 2,
      reason: 'raw objects restored (INC-42)',
    });
    const second = await resend(replayId).expect(409);
    expect(second.body.error.code).toBe('REPLAY.NOT_RESENDABLE');

    const resendJob = await pollUntil(
      () => job(again.body.replay_id as string),
      (j) => j.status === 'completed',
    );
    expect(resendJob).toMatchObject({ sent: 2, failed: 0, resend_of: replayId, unprocessed: null });
    const original = await pollUntil(
      () => job(replayId),
      (j) => j.processed === 6,
    );
    expect(original).toMatchObject({ processed: 6, unprocessed: null });
    const nothing = await resend(replayId).expect(409);
    expect(nothing.body.error.details.reason).toMatch(/every event it sent was processed/);
  });

  it('answers 404 for an unknown replay and 400 without a reason', async () => {
    await resend('00000000-0000-4000-8000-000000000000').expect(404);
    const res = await t
      .http()
      .post('/replay/00000000-0000-4000-8000-000000000000/resend')
      .set(auth('operator'))
      .send({})
      .expect(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain('reason');
  });
});
