import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@nestjs/common';
import { AWS_CLIENTS } from '../../src/shared/aws/aws.module';
import type { AwsClients } from '../../src/shared/aws/aws-clients';
import { QueuePublisher } from '../../src/shared/queue/queue-publisher';
import { RawStore } from '../../src/shared/raw/raw-store';
import { keys } from '../../src/shared/aws/table-keys';
import { events, ingestHistory, Ingested, receiveMore, receiveReplay, waitForJob } from '../support/replay';
import { auth, KEY_IDS, startTestApp, TestApp } from '../support/test-app';

const WINDOW = {
  from: new Date(Date.now() - 3_600_000).toISOString(),
  to: new Date(Date.now() + 3_600_000).toISOString(),
};
const sum = (xs: Ingested[]): number => xs.reduce((n, x) => n + x.bytes, 0);

describe('/replay', () => {
  let t: TestApp;
  let queue: QueuePublisher;
  let raw: RawStore;
  let name: string;
  const post = (body: unknown, role: 'operator' | 'investigator' | 'producer' = 'operator') =>
    t
      .http()
      .post('/replay')
      .set(auth(role))
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));
  const run = async (body: Record<string, unknown>): Promise<string> => {
    const res = await post({ reason: 'test', ...body }).expect(202);
    return res.body.replay_id as string;
  };

  beforeAll(async () => {
    t = await startTestApp('replay', {
      // These tests read the replay queue themselves: no consumer may take the messages first.
      PROCESSOR_ENABLED: 'false',
      REPLAY_MAX_EVENTS: '1000',
      REPLAY_MAX_WINDOW_DAYS: '7',
      REPLAY_POLL_MS: '500',
    });
    queue = t.app.get(QueuePublisher);
    raw = t.app.get(RawStore);
    name = t.env.PIPESCOPE_QUEUE;
  });
  afterAll(() => t.close());

  describe('dry run', () => {
    const source = `plan-${Date.now()}`;
    let a: Ingested[];
    let b: Ingested[];
    let entity: Ingested[];

    beforeAll(async () => {
      a = await ingestHistory(t, events(30, { source, type: 'order.created' }));
      b = await ingestHistory(t, events(12, { source, type: 'order.paid' }));
      entity = await ingestHistory(t, events(4, { source: `${source}-x`, entity_id: `ent-${source}` }));
    });

    it('counts events and bytes of a source exactly as ingested, per source and type, sending nothing', async () => {
      const res = await post(
        { filter: { source, ...WINDOW }, dry_run: true, rate_per_second: 10, reason: 'plan' },
        'investigator',
      ).expect(200);
      expect(res.body).toEqual({
        matched: 42,
        bytes: sum(a) + sum(b),
        by_source_type: [
          { source, type: 'order.created', count: 30, bytes: sum(a) },
          { source, type: 'order.paid', count: 12, bytes: sum(b) },
        ],
        sample_event_ids: expect.any(Array),
        estimated_seconds: 5,
        truncated: false,
      });
      expect(res.body.sample_event_ids).toHaveLength(10);
      const all = new Set([...a, ...b].map((x) => x.event_id));
      for (const id of res.body.sample_event_ids) expect(all.has(id)).toBe(true);
      expect(await queue.depth(name)).toEqual({ visible: 0, inFlight: 0 });
      expect(await raw.list('replays/')).toEqual([]);
    });

    it('filters by type, by entity (occurred_at window) and by event ids', async () => {
      const byType = await post({
        filter: { source, type: 'order.paid', ...WINDOW },
        dry_run: true,
        reason: 'plan',
      }).expect(200);
      expect(byType.body).toMatchObject({ matched: 12, bytes: sum(b), truncated: false });
      const byEntity = await post({
        filter: { entity_id: `ent-${source}`, ...WINDOW },
        dry_run: true,
        reason: 'plan',
      }).expect(200);
      expect(byEntity.body).toMatchObject({ matched: 4, bytes: sum(entity) });
      const notYet = await post({
        filter: {
          entity_id: `ent-${source}`,
          from: WINDOW.to,
          to: new Date(Date.parse(WINDOW.to) + 60_000).toISOString(),
        },
        dry_run: true,
        reason: 'plan',
      }).expect(200);
      expect(notYet.body).toMatchObject({ matched: 0, bytes: 0, by_source_type: [], sample_event_ids: [] });
      const ids = [a[0].event_id, b[0].event_id, 'f'.repeat(32)];
      const byIds = await post({ filter: { event_ids: ids }, dry_run: true, reason: 'plan' }).expect(200);
      expect(byIds.body).toMatchObject({ matched: 2, bytes: a[0].bytes + b[0].bytes });
      expect(byIds.body.sample_event_ids).toEqual([a[0].event_id, b[0].event_id]);
    });

    it('says truncated when more than max_events match, counting only the first max_events', async () => {
      const res = await post({
        filter: { source, ...WINDOW },
        dry_run: true,
        max_events: 5,
        reason: 'plan',
      }).expect(200);
      expect(res.body).toMatchObject({ matched: 5, truncated: true, estimated_seconds: 1 });
    });
  });

  describe('limits and validation', () => {
    const ok = { filter: { source: 'x', ...WINDOW }, reason: 'why' };

    it('answers 400 with a clear code over the max_events cap, for a too wide window and a queue not allowed', async () => {
      const cap = await post({ ...ok, max_events: 1001 }).expect(400);
      expect(cap.body.error.code).toBe('REPLAY.TOO_MANY_EVENTS');
      const wide = await post({
        ...ok,
        filter: { source: 'x', from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:01Z' },
      }).expect(400);
      expect(wide.body.error.code).toBe('REPLAY.WINDOW_TOO_WIDE');
      const q = await post({ ...ok, queue: 'somebody-elses-queue' }).expect(400);
      expect(q.body.error.code).toBe('REPLAY.QUEUE_NOT_ALLOWED');
    });

    it('answers 400 naming the fields for a missing reason, no selector, a missing window or bad values', async () => {
      const noReason = await post({ filter: ok.filter }).expect(400);
      expect(noReason.body.error).toMatchObject({ code: 'REPLAY.VALIDATION_FAILED' });
      expect(noReason.body.error.details.map((d: { field: string }) => d.field)).toContain('reason');
      const blank = await post({ ...ok, reason: '   ' }).expect(400);
      expect(blank.body.error.details[0].field).toBe('reason');
      const noSelector = await post({ ...ok, filter: WINDOW }).expect(400);
      expect(noSelector.body.error.details).toEqual([
        { field: 'filter', message: expect.stringContaining('entity_id') },
      ]);
      const noWindow = await post({ ...ok, filter: { source: 'x' } }).expect(400);
      expect(noWindow.body.error.details.map((d: { field: string }) => d.field)).toEqual([
        'filter.from',
        'filter.to',
      ]);
      const bad = await post({ ...ok, max_events: 0, rate_per_second: 'fast', extra: 1 }).expect(400);
      expect([...new Set(bad.body.error.details.map((d: { field: string }) => d.field))].sort()).toEqual([
        'extra',
        'max_events',
        'rate_per_second',
      ]);
      const all = await post({ filter: { source: 'x', to: 'soon' }, max_events: 0 }).expect(400);
      expect(all.body.error.code).toBe('REPLAY.VALIDATION_FAILED');
      expect(all.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'filter.from',
        'filter.to',
        'max_events',
        'reason',
      ]);
    });

    it('answers 404 for an unknown replay', async () => {
      const res = await t
        .http()
        .get('/replay/00000000-0000-4000-8000-000000000000')
        .set(auth('investigator'))
        .expect(404);
      expect(res.body.error.code).toBe('REPLAY.NOT_FOUND');
      await t.http().get('/replay/not-an-id').set(auth('investigator')).expect(404);
    });
  });

  describe('roles', () => {
    it('lets an investigator plan and read but not run or cancel; an operator runs; a producer does neither', async () => {
      const body = { filter: { source: 'nobody', ...WINDOW }, reason: 'roles' };
      await post({ ...body, dry_run: true }, 'investigator').expect(200);
      const denied = await post(body, 'investigator').expect(403);
      expect(denied.body.error.code).toBe('AUTH.FORBIDDEN');
      await post({ ...body, dry_run: true }, 'producer').expect(403);
      await t
        .http()
        .post('/replay')
        .set('content-type', 'application/json')
        .send(JSON.stringify(body))
        .expect(401);
      const created = await post(body, 'operator').expect(202);
      await t.http().get(`/replay/${created.body.replay_id}`).set(auth('investigator')).expect(200);
      await t.http().get('/replay').set(auth('investigator')).expect(200);
      await t.http().post(`/replay/${created.body.replay_id}/cancel`).set(auth('investigator')).expect(403);
      await waitForJob(t, created.body.replay_id, (j) => j.status === 'completed');
    });
  });

  describe('running', () => {
    it('delivers exactly the matched events as pointer messages, freezing the selection in S3', async () => {
      const source = `run-${Date.now()}`;
      const history = await ingestHistory(t, events(57, { source }));
      const res = await post({
        filter: { source, ...WINDOW },
        rate_per_second: 1000,
        reason: 'reprocess after fix',
      }).expect(202);
      expect(res.body).toEqual({ replay_id: expect.any(String), status: 'pending' });
      expect(res.headers.location).toBe(`/replay/${res.body.replay_id}`);
      const id = res.body.replay_id as string;
      const job = await waitForJob(t, id, (j) => j.status === 'completed');
      expect(job).toEqual({
        replay_id: id,
        status: 'completed',
        filter: { source, ...WINDOW },
        reason: 'reprocess after fix',
        requested_by: KEY_IDS.operator,
        queue: name,
        created_at: expect.any(String),
        started_at: expect.any(String),
        finished_at: expect.any(String),
        matched: 57,
        bytes: sum(history),
        truncated: false,
        max_events: 1000,
        sent: 57,
        failed: 0,
        processed: 0,
        rate_per_second: 1000,
        progress: 1,
        manifest_key: `replays/${id}/manifest.json`,
        resend_of: null,
        // Its messages are still on the queue (this test reads them itself): not called unprocessed.
        unprocessed: null,
      });
      const messages = await receiveReplay(queue, name, id, 57);
      const ids = messages.map((m) => m.attributes.event_id);
      expect(ids.sort()).toEqual(history.map((h) => h.event_id).sort());
      expect(await receiveMore(queue, name, id, 1500)).toEqual([]);
      const one = history[0];
      const msg = messages.find((m) => m.attributes.event_id === one.event_id)!;
      const stored = await t.app.get(RawStore).get(`replays/${id}/manifest.json`);
      expect(JSON.parse(stored.toString())).toMatchObject({
        replay_id: id,
        matched: 57,
        parts: [`replays/${id}/part-00000.ndjson`],
      });
      const body = JSON.parse(msg.body);
      expect(body).toEqual({
        replay_id: id,
        event_id: one.event_id,
        s3_key: expect.stringMatching(/^raw\//),
        s3_range: [expect.any(Number), expect.any(Number)],
        payload_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        source,
        type: one.event.type,
        entity_id: one.event.entity_id,
        occurred_at: new Date(one.event.occurred_at).toISOString(),
      });
      expect(msg.attributes).toMatchObject({ replay_id: id, event_id: one.event_id });
      // The pointer leads to exactly the bytes ingested.
      const bytes = await raw.get(body.s3_key, body.s3_range);
      expect(JSON.parse(bytes.toString())).toEqual(one.event);
    });

    it('sends what was frozen at creation even when the index changes later', async () => {
      const source = `frozen-${Date.now()}`;
      await ingestHistory(t, events(20, { source }));
      const id = await run({ filter: { source, ...WINDOW }, rate_per_second: 10 });
      await ingestHistory(t, events(5, { source }));
      const job = await waitForJob(t, id, (j) => j.status === 'completed');
      expect(job).toMatchObject({ matched: 20, sent: 20 });
      expect(await receiveReplay(queue, name, id, 20)).toHaveLength(20);
    });

    it('reports processed as the processor counts it on the job item, and keeps it across checkpoints', async () => {
      const source = `processed-${Date.now()}`;
      await ingestHistory(t, events(30, { source }));
      const id = await run({ filter: { source, ...WINDOW }, rate_per_second: 20 });
      await waitForJob(t, id, (j) => j.sent > 0);
      const clients = t.app.get<AwsClients>(AWS_CLIENTS);
      const add = (n: number) =>
        clients.dynamo.send(
          new UpdateCommand({
            TableName: t.env.PIPESCOPE_TABLE,
            Key: keys.replayJob(id),
            // `processed` is a DynamoDB reserved word, hence the name placeholder.
            UpdateExpression: 'ADD #processed :n',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#processed': 'processed' },
            ExpressionAttributeValues: { ':n': n },
          }),
        );
      await add(3);
      const job = await waitForJob(t, id, (j) => j.status === 'completed');
      await add(4);
      expect(job.processed).toBe(3);
      const after = await t.http().get(`/replay/${id}`).set(auth('investigator')).expect(200);
      expect(after.body).toMatchObject({ processed: 7, sent: 30 });
      await receiveReplay(queue, name, id, 30);
    });

    it('honours the rate limit within 20% over several seconds', async () => {
      const source = `rate-${Date.now()}`;
      await ingestHistory(t, events(120, { source }));
      const started = Date.now();
      const id = await run({ filter: { source, ...WINDOW }, rate_per_second: 20 });
      const job = await waitForJob(t, id, (j) => j.status === 'completed', 30_000);
      const wall = (Date.now() - started) / 1000;
      expect(job.sent).toBe(120);
      const achieved = job.sent / wall;
      const recorded = job.sent / ((Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000);
      expect(achieved).toBeGreaterThan(20 * 0.8);
      expect(achieved).toBeLessThan(20 * 1.2);
      expect(recorded).toBeGreaterThan(20 * 0.8);
      expect(recorded).toBeLessThan(20 * 1.2);
      await receiveReplay(queue, name, id, 120);
    });

    it('cancel stops a running replay; sent messages stay sent and nothing more arrives', async () => {
      const source = `cancel-${Date.now()}`;
      await ingestHistory(t, events(100, { source }));
      const id = await run({ filter: { source, ...WINDOW }, rate_per_second: 5 });
      await waitForJob(t, id, (j) => j.sent >= 5);
      const res = await t.http().post(`/replay/${id}/cancel`).set(auth('operator')).expect(200);
      expect(res.body).toMatchObject({ replay_id: id, status: 'cancelled', finished_at: expect.any(String) });
      const messages = await receiveMore(queue, name, id, 3000);
      const job = await waitForJob(t, id, () => true);
      expect(job.status).toBe('cancelled');
      expect(job.sent).toBeLessThanOrEqual(res.body.sent + 5);
      expect(job.sent).toBeLessThan(100);
      expect(job.progress).toBeLessThan(1);
      expect(messages).toHaveLength(job.sent);
      // Cancelling again changes nothing; a completed replay cannot be cancelled.
      await t.http().post(`/replay/${id}/cancel`).set(auth('operator')).expect(200);
      const done = await run({ filter: { source: 'nobody', ...WINDOW } });
      await waitForJob(t, done, (j) => j.status === 'completed');
      const conflict = await t.http().post(`/replay/${done}/cancel`).set(auth('operator')).expect(409);
      expect(conflict.body.error.code).toBe('REPLAY.NOT_CANCELLABLE');
    });

    it('lists recent jobs newest first, paginated', async () => {
      const first = await t.http().get('/replay?limit=2').set(auth('investigator')).expect(200);
      expect(first.body.items).toHaveLength(2);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      const all = await t.http().get('/replay?limit=100').set(auth('investigator')).expect(200);
      const created = all.body.items.map((j: { created_at: string }) => j.created_at);
      expect(created).toEqual([...created].sort().reverse());
      expect(all.body.items.slice(0, 2)).toEqual(first.body.items);
      const next = await t
        .http()
        .get(`/replay?limit=2&cursor=${first.body.next_cursor}`)
        .set(auth('investigator'))
        .expect(200);
      expect(next.body.items[0]).toEqual(all.body.items[2]);
    });

    it('logs an audit record with who, why, filter and counts at creation and at the end', async () => {
      const spy = jest.spyOn(Logger.prototype, 'log');
      try {
        const source = `audit-${Date.now()}`;
        await ingestHistory(t, events(3, { source }));
        const id = await run({ filter: { source, ...WINDOW }, reason: 'audit me', rate_per_second: 100 });
        await waitForJob(t, id, (j) => j.status === 'completed');
        const audits = spy.mock.calls
          .map(([fields]) => fields as Record<string, unknown>)
          .filter((f) => f?.op === 'replay.audit' && f.replay_id === id);
        const who = { requested_by: KEY_IDS.operator, reason: 'audit me' };
        expect(audits).toEqual([
          expect.objectContaining({ ...who, stage: 'created', filter: { source, ...WINDOW }, matched: 3 }),
          expect.objectContaining({ ...who, stage: 'completed', matched: 3, sent: 3, failed: 0 }),
        ]);
        await receiveReplay(queue, name, id, 3);
      } finally {
        spy.mockRestore();
      }
    });

    it('exposes replay metrics', async () => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      expect(text).toMatch(/pipescope_replay_messages_total\{outcome="sent"\} [1-9]/);
      expect(text).toMatch(/pipescope_replay_duration_seconds_count\{status="completed"\} [1-9]/);
      expect(text).toMatch(/pipescope_replay_rate_messages_per_second\{queue="test-replay-/);
    });
  });
});
