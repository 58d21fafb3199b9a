import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { DynamoReplayJobStore } from '../../src/replay/dynamo-replay-job-store';
import { ReplayJob } from '../../src/replay/replay-job-store';
import { keys } from '../../src/shared/aws/table-keys';
import { openStores, Stores } from '../support/stores';

let n = 0;
const job = (overrides: Partial<ReplayJob> = {}): ReplayJob => {
  n += 1;
  const id = randomUUID();
  return {
    replay_id: id,
    status: 'pending',
    filter: { source: 's', from: '2026-11-25T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z' },
    reason: 'why',
    requested_by: 'operator:abcd',
    queue: 'q',
    created_at: `2026-11-25T10:00:${String(n).padStart(2, '0')}.000Z`,
    matched: 100,
    bytes: 1000,
    truncated: false,
    max_events: 10000,
    rate_per_second: 10,
    sent: 0,
    failed: 0,
    processed: 0,
    next_index: 0,
    manifest_key: `replays/${id}/manifest.json`,
    ...overrides,
  };
};

describe('DynamoReplayJobStore against DynamoDB Local', () => {
  let stores: Stores;
  let jobs: DynamoReplayJobStore;
  beforeAll(async () => {
    stores = await openStores('replay-jobs');
    jobs = new DynamoReplayJobStore(stores.table);
  });
  afterAll(() => stores.close());

  const processorAdds = (replayId: string, count: number) =>
    stores.clients.dynamo.send(
      new UpdateCommand({
        TableName: stores.env.PIPESCOPE_TABLE,
        Key: keys.replayJob(replayId),
        UpdateExpression: 'ADD #p :n',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#p': 'processed' },
        ExpressionAttributeValues: { ':n': count },
      }),
    );

  it('leases a job to one runner at a time until the lease runs out, and checkpoints keep processed', async () => {
    const j = job();
    await jobs.create(j);
    await expect(jobs.create(j)).rejects.toThrow();
    const now = Date.now();
    const claimed = await jobs.claim(j.replay_id, 'runner-a', now, now + 60_000);
    expect(claimed).toMatchObject({
      status: 'running',
      owner: 'runner-a',
      started_at: new Date(now).toISOString(),
    });
    expect(await jobs.claim(j.replay_id, 'runner-b', now, now + 60_000)).toBeUndefined();
    await processorAdds(j.replay_id, 5);
    expect(
      await jobs.checkpoint(j.replay_id, 'runner-a', { next_index: 10, sent: 10, failed: 0 }, now + 60_000),
    ).toBe('running');
    expect(await jobs.get(j.replay_id)).toMatchObject({ next_index: 10, sent: 10, processed: 5 });
    // The lease has run out (as after a crash): another runner takes over; the first one has lost it.
    const later = now + 120_000;
    expect(await jobs.claim(j.replay_id, 'runner-b', later, later + 60_000)).toMatchObject({
      owner: 'runner-b',
      next_index: 10,
      started_at: new Date(now).toISOString(),
    });
    expect(
      await jobs.checkpoint(j.replay_id, 'runner-a', { next_index: 20, sent: 20, failed: 0 }, later),
    ).toBe('lost');
    expect(await jobs.finish(j.replay_id, 'runner-a', 'completed', new Date().toISOString())).toBe(false);
    expect(await jobs.finish(j.replay_id, 'runner-b', 'completed', new Date().toISOString())).toBe(true);
    const done = await jobs.get(j.replay_id);
    expect(done).toMatchObject({ status: 'completed', next_index: 10, processed: 5 });
    expect(done!.owner).toBeUndefined();
    expect((await jobs.active()).map((a) => a.replay_id)).not.toContain(j.replay_id);
  });

  it('releases a job on shutdown so the next runner resumes it at once', async () => {
    const j = job();
    await jobs.create(j);
    const now = Date.now();
    await jobs.claim(j.replay_id, 'runner-a', now, now + 60_000);
    await jobs.release(j.replay_id, 'runner-a');
    expect(await jobs.claim(j.replay_id, 'runner-b', now, now + 60_000)).toMatchObject({ owner: 'runner-b' });
  });

  it('cancels pending and running jobs only, and a cancelled job reports cancelled to its runner', async () => {
    const pending = job();
    await jobs.create(pending);
    expect(await jobs.cancel(pending.replay_id, new Date().toISOString())).toMatchObject({
      status: 'cancelled',
    });
    expect(await jobs.cancel(pending.replay_id, new Date().toISOString())).toBeUndefined();
    expect(await jobs.claim(pending.replay_id, 'runner-a', Date.now(), Date.now() + 1000)).toBeUndefined();
    const running = job();
    await jobs.create(running);
    await jobs.claim(running.replay_id, 'runner-a', Date.now(), Date.now() + 60_000);
    await jobs.cancel(running.replay_id, new Date().toISOString());
    expect(
      await jobs.checkpoint(
        running.replay_id,
        'runner-a',
        { next_index: 10, sent: 10, failed: 0 },
        Date.now(),
      ),
    ).toBe('cancelled');
    expect(await jobs.get(running.replay_id)).toMatchObject({ status: 'cancelled', sent: 10 });
    expect(await jobs.cancel(randomUUID(), new Date().toISOString())).toBeUndefined();
  });

  it('lists every job newest first with a cursor, and the active ones oldest first', async () => {
    const a = job();
    const b = job();
    await jobs.create(a);
    await jobs.create(b);
    const all = await jobs.list(100);
    const ids = all.items.map((x) => x.replay_id);
    expect(ids.indexOf(b.replay_id)).toBeLessThan(ids.indexOf(a.replay_id));
    expect(all.items.map((x) => x.created_at)).toEqual(
      all.items
        .map((x) => x.created_at)
        .sort()
        .reverse(),
    );
    const first = await jobs.list(1);
    const second = await jobs.list(1, first.next_cursor!);
    expect(second.items[0].replay_id).toBe(all.items[1].replay_id);
    const active = (await jobs.active()).map((x) => x.replay_id);
    expect(active.indexOf(a.replay_id)).toBeLessThan(active.indexOf(b.replay_id));
  });
});
