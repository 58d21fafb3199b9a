import type { Message } from '@aws-sdk/client-sqs';
import { Logger } from '@nestjs/common';
import { QueuePublisher } from '../shared/queue/queue-publisher';
import { validateEnv } from '../shared/config/env.config';
import { LogContext } from '../shared/logging/log-context';
import { ProcessorConsumer } from './processor.consumer';
import { MessageResult, ProcessorService } from './processor.service';
import { InboundMessage } from './message-verifier';

/** A processor whose batches finish when the test says so. */
class GatedProcessor {
  readonly gates: (() => void)[] = [];
  processBatch(messages: InboundMessage[]): Promise<MessageResult[]> {
    return new Promise((resolve) =>
      this.gates.push(() =>
        resolve(
          messages.map((m) =>
            m.body === 'bad'
              ? { messageId: m.messageId, ok: false, error: new Error('bad') }
              : {
                  messageId: m.messageId,
                  ok: true,
                  outcome: 'unchanged',
                },
          ),
        ),
      ),
    );
  }
}

class RecordingQueue {
  readonly deleted: string[] = [];
  readonly calls: string[][] = [];
  deleteBatch(_queue: string, receiptHandles: string[]): Promise<string[]> {
    this.calls.push(receiptHandles);
    this.deleted.push(...receiptHandles);
    return Promise.resolve([]);
  }
}

const message = (id: string, body = '{}'): Message => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: body,
});
const settle = () => new Promise((r) => setImmediate(r));

describe('ProcessorConsumer', () => {
  beforeAll(() => Logger.overrideLogger(false));

  const setup = (concurrency = 2) => {
    const processor = new GatedProcessor();
    const queue = new RecordingQueue();
    const consumer = new ProcessorConsumer(
      processor as unknown as ProcessorService,
      queue as unknown as QueuePublisher,
      validateEnv({ PROCESSOR_CONCURRENCY: String(concurrency) }),
      { detached: (_fields: unknown, work: () => unknown) => work() } as unknown as LogContext,
    );
    return { processor, queue, consumer };
  };

  it('deletes processed messages only, leaving failures to be redelivered', async () => {
    const { processor, queue, consumer } = setup();
    await consumer.handleBatch([message('a'), message('b', 'bad'), message('c')]);
    processor.gates[0]();
    await consumer.beforeApplicationShutdown();
    expect(queue.deleted).toEqual(['rh-a', 'rh-c']);
    // One DeleteMessageBatch call for the batch.
    expect(queue.calls).toEqual([['rh-a', 'rh-c']]);
  });

  it('keeps polling until PROCESSOR_CONCURRENCY batches are in flight, then waits for one to finish', async () => {
    const { processor, consumer } = setup(2);
    await consumer.handleBatch([message('a')]);
    let returned = false;
    const second = consumer.handleBatch([message('b')]).then(() => (returned = true));
    await settle();
    expect(returned).toBe(false);
    processor.gates[0]();
    await second;
    expect(returned).toBe(true);
    processor.gates[1]();
    await consumer.beforeApplicationShutdown();
  });

  it('finishes in-flight batches on shutdown and takes no new ones', async () => {
    const { processor, queue, consumer } = setup(4);
    await consumer.handleBatch([message('a'), message('b')]);
    consumer.onModuleDestroy();
    let drained = false;
    const shutdown = consumer.beforeApplicationShutdown().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    expect(await consumer.handleBatch([message('late')])).toEqual([]);
    processor.gates[0]();
    await shutdown;
    expect(queue.deleted).toEqual(['rh-a', 'rh-b']);
    expect(processor.gates).toHaveLength(1);
  });
});
