import { PageCursors } from '../../src/shared/paging/page-cursor';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { QueuePublisher } from '../../src/shared/queue/queue-publisher';
import { createAwsClients, destroyAwsClients } from '../../src/shared/aws/aws-clients';
import { DynamoTable, readLimitsOf } from '../../src/shared/aws/dynamo-table';
import { DynamoReplayJobStore } from '../../src/replay/dynamo-replay-job-store';
import { keys } from '../../src/shared/aws/table-keys';
import { events, ingestHistory, receiveMore, receiveReplay, waitForJob } from '../support/replay';
import { auth, restartTestApp, startTestApp, TestApp } from '../support/test-app';

const WINDOW = {
  from: new Date(Date.now() - 3_600_000).toISOString(),
  to: new Date(Date.now() + 3_600_000).toISOString(),
};

const create = (t: TestApp, source: string, rate: number) =>
  t
    .http()
    .post('/replay')
    .set(auth('operator'))
    .set('content-type', 'application/json')
    .send(JSON.stringify({ filter: { source, ...WINDOW }, rate_per_second: rate, reason: 'restart test' }));

describe('replay across restarts and runners', () => {
  it('resumes a replay from its checkpoint after the service stops mid-way, delivering every event', async () => {
    const first = await startTestApp('replay-restart', {
      // These tests read the replay queue themselves: no consumer may take the messages first.
      PROCESSOR_ENABLED: 'false',
      REPLAY_POLL_MS: '500',
    });
    let second: TestApp | undefined;
    try {
      const source = `restart-${Date.now()}`;
      const history = await ingestHistory(first, events(80, { source }));
      const res = await create(first, source, 10).expect(202);
      const id = res.body.replay_id as string;
      await waitForJob(first, id, (j) => j.sent >= 20);
      await first.close();
      // Stopped cleanly: still running, with a checkpoint short of the end, and no runner holding it.
      const clients = createAwsClients(first.env);
      const stopped = await new DynamoReplayJobStore(
        new DynamoTable(
          clients.dynamo,
          first.env.PIPESCOPE_TABLE,
          readLimitsOf(first.env),
          PageCursors.fromEnv(first.env),
        ),
      ).get(id);
      destroyAwsClients(clients);
      expect(stopped).toMatchObject({ status: 'running' });
      expect(stopped!.next_index).toBeGreaterThanOrEqual(20);
      expect(stopped!.next_index).toBeLessThan(80);
      expect(stopped!.owner).toBeUndefined();

      second = await restartTestApp(first.env);
      const job = await waitForJob(second, id, (j) => j.status === 'completed', 30_000);
      expect(job).toMatchObject({ status: 'completed', matched: 80, sent: 80, failed: 0, progress: 1 });
      const queue = second.app.get(QueuePublisher);
      const messages = await receiveReplay(queue, first.env.PIPESCOPE_QUEUE, id, 80);
      messages.push(...(await receiveMore(queue, first.env.PIPESCOPE_QUEUE, id, 1500)));
      const ids = new Set(messages.map((m) => m.attributes.event_id));
      expect([...ids].sort()).toEqual(history.map((h) => h.event_id).sort());
      // At most the one batch in flight at the stop is sent twice.
      expect(messages.length).toBeLessThanOrEqual(80 + 10);
    } finally {
      await second?.close();
    }
  });

  it('takes over a replay whose runner lost its lease (as after a crash), resending at most one batch', async () => {
    const t = await startTestApp('replay-takeover', {
      // These tests read the replay queue themselves: no consumer may take the messages first.
      PROCESSOR_ENABLED: 'false',
      REPLAY_POLL_MS: '300',
    });
    try {
      const source = `takeover-${Date.now()}`;
      const history = await ingestHistory(t, events(60, { source }));
      const id = (await create(t, source, 10).expect(202)).body.replay_id as string;
      await waitForJob(t, id, (j) => j.sent >= 10);
      // Another (dead) runner appears to hold the job for two seconds: the live runner must stop at its
      // next checkpoint, and resume the job only once that lease has run out.
      const clients = createAwsClients(t.env);
      try {
        await clients.dynamo.send(
          new UpdateCommand({
            TableName: t.env.PIPESCOPE_TABLE,
            Key: keys.replayJob(id),
            UpdateExpression: 'SET #owner = :dead, lease_until = :until',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':dead': 'dead-runner', ':until': Date.now() + 2000 },
          }),
        );
      } finally {
        destroyAwsClients(clients);
      }
      const job = await waitForJob(t, id, (j) => j.status === 'completed', 30_000);
      expect(job).toMatchObject({ sent: 60, failed: 0 });
      const queue = t.app.get(QueuePublisher);
      const messages = await receiveReplay(queue, t.env.PIPESCOPE_QUEUE, id, 60);
      messages.push(...(await receiveMore(queue, t.env.PIPESCOPE_QUEUE, id, 1500)));
      expect([...new Set(messages.map((m) => m.attributes.event_id))].sort()).toEqual(
        history.map((h) => h.event_id).sort(),
      );
      expect(messages.length).toBeGreaterThan(60);
      expect(messages.length).toBeLessThanOrEqual(60 + 10);
    } finally {
      await t.close();
    }
  });

  it('queues jobs over REPLAY_MAX_RUNNING as pending, answers 429 when the queue is full, then runs them', async () => {
    const t = await startTestApp('replay-queueing', {
      // These tests read the replay queue themselves: no consumer may take the messages first.
      PROCESSOR_ENABLED: 'false',
      REPLAY_MAX_RUNNING: '1',
      REPLAY_MAX_QUEUED: '1',
      REPLAY_POLL_MS: '500',
    });
    try {
      const source = `queued-${Date.now()}`;
      await ingestHistory(t, events(20, { source }));
      const a = (await create(t, source, 5).expect(202)).body.replay_id as string;
      await waitForJob(t, a, (j) => j.status === 'running');
      const b = (await create(t, source, 1000).expect(202)).body.replay_id as string;
      const full = await create(t, source, 1000).expect(429);
      expect(full.body.error.code).toBe('REPLAY.TOO_MANY_RUNNING');
      expect(full.headers['retry-after']).toBeDefined();
      // b waits while a runs.
      const whileA = await waitForJob(t, a, (j) => j.sent >= 10);
      expect(whileA.status).toBe('running');
      expect((await waitForJob(t, b, () => true)).status).toBe('pending');
      await t.http().post(`/replay/${a}/cancel`).set(auth('operator')).expect(200);
      const done = await waitForJob(t, b, (j) => j.status === 'completed');
      expect(done).toMatchObject({ sent: 20, started_at: expect.any(String) });
    } finally {
      await t.close();
    }
  });
});
