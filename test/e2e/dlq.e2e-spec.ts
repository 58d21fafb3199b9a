// The dead-letter loop end to end: a poison message and an event whose raw object was tampered with
// land in the DLQ, show with their reasons, the raw object is restored, the message is redriven and
// processed; redrive of everything and drop are checked on poison messages.
import { EventRecord, EventIndex } from '../../src/shared/events/event-index';
import { QueuePublisher } from '../../src/shared/queue/queue-publisher';
import { RawStore } from '../../src/shared/raw/raw-store';
import { pollUntil, sendBodies, sendReplay } from '../support/replay-messages';
import { auth, ingestOne, startTestApp, TestApp } from '../support/test-app';

const DAY = '2026-11-21';

interface Item {
  message_id: string;
  replay_id: string | null;
  event_id: string | null;
  receive_count: number;
  failures: number;
  reason: { kind: string; reason: string; code: string } | null;
  age_seconds: number;
  redriven_from: string | null;
  body: string;
}

describe('dead-letter queue', () => {
  let t: TestApp;
  let queue: QueuePublisher;
  let raw: RawStore;
  let record: EventRecord;
  let original: Buffer;

  const op = () => auth('operator');
  const listDlq = async (): Promise<Item[]> =>
    (await t.http().get('/dlq?limit=100').set(op()).expect(200)).body.items as Item[];
  const dlqUntil = (done: (items: Item[]) => boolean) => pollUntil(listDlq, done, 30_000, 300);

  beforeAll(async () => {
    t = await startTestApp('dlq', {
      QUEUE_MAX_RECEIVE_COUNT: '2',
      QUEUE_VISIBILITY_TIMEOUT_S: '1',
      PROCESSOR_WAIT_TIME_S: '1',
    });
    queue = t.app.get(QueuePublisher);
    raw = t.app.get(RawStore);
    const eventId = await ingestOne(t, {
      source: 'orders-svc',
      type: 'order.created',
      entity_id: 'dlq-1',
      occurred_at: `${DAY}T09:30:00.000Z`,
      payload: { amount: 12 },
    });
    record = (await t.app.get(EventIndex).getEvent(eventId))!;
    original = await raw.get(record.s3_key);
  });

  afterAll(() => t.close());

  it('shows a tampered event and a poison message with their reasons, without consuming them', async () => {
    const forged = original.toString('utf8').replace('"amount":12', '"amount":12000');
    expect(forged).not.toBe(original.toString('utf8'));
    await raw.put(record.s3_key, Buffer.from(forged), 'application/json');
    await sendReplay(queue, t.env.PIPESCOPE_QUEUE, 'replay-dlq-1', [record]);
    await sendBodies(queue, t.env.PIPESCOPE_QUEUE, [{ body: 'not a replay message' }]);

    const items = await dlqUntil((i) => i.length >= 2);
    expect(items).toHaveLength(2);
    const tampered = items.find((i) => i.event_id === record.event_id)!;
    expect(tampered).toMatchObject({
      replay_id: 'replay-dlq-1',
      receive_count: 2,
      failures: 2,
      redriven_from: null,
      reason: {
        kind: 'integrity_error',
        code: 'PROCESSOR.INTEGRITY_ERROR',
        reason: 'payload_hash_mismatch',
      },
    });
    expect(tampered.age_seconds).toBeGreaterThanOrEqual(0);
    const poison = items.find((i) => i.body === 'not a replay message')!;
    expect(poison).toMatchObject({
      replay_id: null,
      event_id: null,
      reason: { kind: 'invalid_message', code: 'PROCESSOR.INVALID_MESSAGE' },
    });

    // Looking does not consume: the same messages are there on the next look.
    const again = await listDlq();
    expect(again.map((i) => i.message_id).sort()).toEqual(items.map((i) => i.message_id).sort());
  });

  it('redrives the fixed message back to the replay queue, where it is processed', async () => {
    const before = await listDlq();
    const tampered = before.find((i) => i.event_id === record.event_id)!;
    await raw.put(record.s3_key, original, 'application/json');

    const res = await t
      .http()
      .post('/dlq/redrive')
      .set(op())
      .send({ message_ids: [tampered.message_id, 'no-such-message'], reason: 'raw object restored' })
      .expect(200);
    expect(res.body).toMatchObject({
      queue: t.env.PIPESCOPE_QUEUE,
      moved: 1,
      failed: 0,
      not_found: ['no-such-message'],
      items: [
        {
          message_id: tampered.message_id,
          status: 'moved',
          replay_id: 'replay-dlq-1',
          event_id: record.event_id,
        },
      ],
    });
    expect(res.body.items[0].new_message_id).toEqual(expect.any(String));

    const key = encodeURIComponent(`dlq-1@${DAY}T09`);
    const agg = await pollUntil(
      () => t.http().get(`/aggregates/${key}`).set(auth('investigator')),
      (r) => r.status === 200,
    );
    expect(agg.status).toBe(200);
    expect(agg.body.latest).toMatchObject({ input_count: 1, replay_ids: ['replay-dlq-1'] });
    const left = await listDlq();
    expect(left.map((i) => i.message_id)).toEqual(
      before.filter((i) => i.message_id !== tampered.message_id).map((i) => i.message_id),
    );
  });

  it('redrives everything with a reason; messages that fail again come back marked as redriven', async () => {
    await sendBodies(queue, t.env.PIPESCOPE_QUEUE, [{ body: 'poison-a' }, { body: 'poison-b' }]);
    const before = await dlqUntil((i) => i.length >= 3);
    const res = await t
      .http()
      .post('/dlq/redrive')
      .set(op())
      .send({ all: true, reason: 'processor fix deployed' })
      .expect(200);
    expect(res.body).toMatchObject({ moved: before.length, failed: 0, not_found: [] });
    const back = await dlqUntil((i) => i.length >= before.length);
    expect(back.map((i) => i.redriven_from).sort()).toEqual(before.map((i) => i.message_id).sort());
    for (const item of back) expect(item.reason).toMatchObject({ kind: 'invalid_message' });
  });

  it('drops one message for good and answers 404 for it afterwards', async () => {
    const before = await listDlq();
    const victim = before[0];
    const res = await t
      .http()
      .delete(`/dlq/${victim.message_id}?reason=${encodeURIComponent('garbage test data')}`)
      .set(op())
      .expect(200);
    expect(res.body).toMatchObject({ message_id: victim.message_id, body: victim.body });
    const after = await listDlq();
    expect(after.map((i) => i.message_id).sort()).toEqual(
      before
        .slice(1)
        .map((i) => i.message_id)
        .sort(),
    );
    const gone = await t.http().delete(`/dlq/${victim.message_id}`).set(op()).expect(404);
    expect(gone.body.error.code).toBe('DLQ.MESSAGE_NOT_FOUND');
  });

  it('answers bad requests with 400 and codes, and needs the operator role', async () => {
    await t.http().get('/dlq').set(auth('investigator')).expect(403);
    await t.http().post('/dlq/redrive').set(auth('investigator')).send({ all: true }).expect(403);
    const either = await t.http().post('/dlq/redrive').set(op()).send({}).expect(400);
    expect(either.body.error.code).toBe('DLQ.VALIDATION_FAILED');
    const both = await t
      .http()
      .post('/dlq/redrive')
      .set(op())
      .send({ all: true, message_ids: ['a'], reason: 'x' })
      .expect(400);
    expect(both.body.error.code).toBe('DLQ.VALIDATION_FAILED');
    const noReason = await t.http().post('/dlq/redrive').set(op()).send({ all: true }).expect(400);
    expect(noReason.body.error.details).toEqual([
      { field: 'reason', message: 'reason is required with all: true' },
    ]);
    const badId = await t
      .http()
      .post('/dlq/redrive')
      .set(op())
      .send({ message_ids: ['not an id!'] })
      .expect(400);
    expect(badId.body.error).toMatchObject({
      code: 'DLQ.VALIDATION_FAILED',
      details: [{ field: 'message_ids', message: expect.stringContaining('message id') }],
    });
    await t.http().post('/dlq/redrive').set(op()).send({ all: 'yes', reason: 'x' }).expect(400);
    await t.http().get('/dlq?limit=0').set(op()).expect(400);
    await t.http().get('/dlq?limit=101').set(op()).expect(400);
    const badPath = await t.http().delete('/dlq/not%20an%20id').set(op()).expect(400);
    expect(badPath.body.error.code).toBe('DLQ.VALIDATION_FAILED');
  });
});
