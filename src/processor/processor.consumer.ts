// The replay queue's consumer (@ssut/nestjs-sqs over sqs-consumer), in batch mode. A batch's processed
// messages are deleted together (DeleteMessageBatch) once it is processed; a failed one stays, comes
// back after the visibility timeout and, after QUEUE_MAX_RECEIVE_COUNT receives, SQS moves it to the
// dead-letter queue.
// Shutdown: polling stops (a waiting long poll is aborted) and in-flight messages are finished.
import type { Message } from '@aws-sdk/client-sqs';
import { BeforeApplicationShutdown, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { SqsConsumerEventHandler, SqsMessageHandler } from '@ssut/nestjs-sqs';
import { QueuePublisher } from '../shared/queue/queue-publisher';
import { Env } from '../shared/config/env.config';
import { ProcessorService } from './processor.service';
import { LogContext } from '../shared/logging/log-context';

/** The consumer's name in SqsModule's registration. */
export const REPLAY_CONSUMER = 'replay';
/** How long shutdown waits for in-flight messages before giving up on them (they are redelivered). */
const DRAIN_TIMEOUT_MS = 25_000;

@Injectable()
export class ProcessorConsumer implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProcessorConsumer.name);
  private inFlight = 0;
  private readonly running = new Set<Promise<void>>();
  private closing = false;
  private idle?: () => void;

  constructor(
    private readonly processor: ProcessorService,
    private readonly queue: QueuePublisher,
    private readonly env: Env,
    private readonly context: LogContext,
  ) {}

  /**
   * Starts the batch and returns once fewer than PROCESSOR_CONCURRENCY batches are in flight, so
   * sqs-consumer polls again while earlier batches are still being processed.
   */
  @SqsMessageHandler(REPLAY_CONSUMER, true)
  async handleBatch(messages: Message[]): Promise<Message[]> {
    // Received as the app closes: leave them for the next consumer (visibility timeout).
    if (this.closing) return [];
    this.inFlight += 1;
    this.running.add(this.run(messages));
    while (this.inFlight >= this.env.PROCESSOR_CONCURRENCY) await Promise.race(this.running);
    // Deletion is ours (shouldDeleteMessages: false): nothing for sqs-consumer to acknowledge.
    return [];
  }

  /** Processes one batch and deletes its processed messages; never rejects. Logs name its messages. */
  private run(messages: Message[]): Promise<void> {
    const ids = messages.map((m) => m.MessageId ?? '').join(',');
    const done: Promise<void> = this.context
      .detached({ message_ids: ids }, () => this.process(messages))
      .finally(() => {
        this.inFlight -= 1;
        this.running.delete(done);
        if (this.inFlight === 0) this.idle?.();
      });
    return done;
  }

  private async process(messages: Message[]): Promise<void> {
    try {
      const results = await this.processor.processBatch(
        messages.map((m) => ({
          messageId: m.MessageId!,
          body: m.Body ?? '',
          receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
        })),
      );
      const done: Message[] = [];
      results.forEach((r, i) => {
        if (r.ok) done.push(messages[i]);
        else this.onProcessingError(r.error as Error, messages[i]);
      });
      // One DeleteMessageBatch for the batch's processed messages.
      try {
        const failed = new Set(
          await this.queue.deleteBatch(
            this.env.PIPESCOPE_QUEUE,
            done.map((m) => m.ReceiptHandle!),
          ),
        );
        for (const m of done.filter((d) => failed.has(d.ReceiptHandle!))) {
          this.logger.warn({ message_id: m.MessageId, op: 'delete' }, 'could not delete a processed message');
        }
      } catch (err) {
        this.logger.warn(
          { err, message_id: done.map((m) => m.MessageId), op: 'delete' },
          'could not delete processed messages',
        );
      }
    } catch (err) {
      this.logger.error({ err, op: 'process' }, 'batch failed');
    }
  }

  /** Per-message failures of a batch are routed here too, so failures are logged in one place. */
  @SqsConsumerEventHandler(REPLAY_CONSUMER, 'processing_error')
  onProcessingError(error: Error, message: Message | Message[]): void {
    const ids = (Array.isArray(message) ? message : [message]).map((m) => m.MessageId);
    const receives = Array.isArray(message) ? undefined : message.Attributes?.ApproximateReceiveCount;
    this.logger.warn(
      {
        op: 'process',
        message_id: ids.length === 1 ? ids[0] : ids,
        receive_count: receives ? Number(receives) : undefined,
        code: (error as { code?: string }).code,
        err: error.message,
      },
      'message not processed; it will be redelivered or dead-lettered',
    );
  }

  @SqsConsumerEventHandler(REPLAY_CONSUMER, 'error')
  onError(error: Error): void {
    if (this.closing && /abort/i.test(`${error.name} ${error.message}`)) return;
    this.logger.error({ op: 'poll', err: error.message }, 'replay queue consumer error');
  }

  onModuleDestroy(): void {
    this.closing = true;
  }

  /** Runs after SqsService has stopped polling: waits for the batches being processed. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.inFlight === 0) return;
    this.logger.log({ op: 'drain', batches: this.inFlight }, 'finishing in-flight messages');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
      this.idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
