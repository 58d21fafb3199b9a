import { StorageNotFoundError } from '../../src/shared/errors/app-error';
import { openStores, Stores } from '../support/stores';

describe('SqsQueuePublisher against fauxqs', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await openStores('queue');
  });
  afterAll(() => stores.close());

  it('sends a batch and receives every message with its attributes', async () => {
    const queue = stores.env.PIPESCOPE_QUEUE;
    const messages = Array.from({ length: 10 }, (_, i) => ({
      id: `m${i}`,
      body: JSON.stringify({ i }),
      attributes: { event_id: `e${i}` },
    }));
    const result = await stores.queue.sendBatch(queue, messages);
    expect(result.sent.sort()).toEqual(messages.map((m) => m.id).sort());
    expect(result.failed).toEqual([]);
    const received = [];
    const deadline = Date.now() + 10_000;
    while (received.length < 10 && Date.now() < deadline) {
      const batch = await stores.queue.receive(queue, 10, 1);
      for (const m of batch) await stores.queue.delete(queue, m.receiptHandle);
      received.push(...batch);
    }
    expect(received.map((m) => (JSON.parse(m.body) as { i: number }).i).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(received.find((m) => m.body === '{"i":3}')?.attributes.event_id).toBe('e3');
    expect(await stores.queue.depth(queue)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('has a dead-letter queue and reports a missing queue as not found', async () => {
    await expect(stores.queue.queueUrl(stores.env.deadLetterQueue)).resolves.toContain(
      stores.env.deadLetterQueue,
    );
    await expect(stores.queue.queueUrl('test-no-such-queue')).rejects.toBeInstanceOf(StorageNotFoundError);
  });
});
