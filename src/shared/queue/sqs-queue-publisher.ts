import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { StorageNotFoundError } from '../errors/app-error';
import {
  BatchSendResult,
  OutgoingMessage,
  QueuePublisher,
  ReceivedMessage,
  ReceiveOptions,
} from './queue-publisher';
import { rethrowStorage } from '../aws/storage-errors';
import { detached } from '../async/request-scope';

/**
 * One SendMessageBatch entry: every attribute a String. An attribute may be named `__proto__` (a
 * dead-letter move copies whatever a producer sent), which a plain assignment would take for the
 * object's prototype and drop: that one is defined as an own property. (A loop, not fromEntries over
 * a mapped array: replay builds thousands of these a second.)
 */
function toEntry(m: OutgoingMessage): SendMessageBatchRequestEntry {
  const attributes = m.attributes ?? {};
  const out: Record<string, MessageAttributeValue> = {};
  for (const name of Object.keys(attributes)) {
    const value: MessageAttributeValue = { DataType: 'String', StringValue: attributes[name] };
    if (name === '__proto__')
      Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    else out[name] = value;
  }
  return { Id: m.id, MessageBody: m.body, MessageAttributes: out };
}

export class SqsQueuePublisher extends QueuePublisher {
  private readonly urls = new Map<string, Promise<string>>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly mainQueue: string,
  ) {
    super();
  }

  queueUrl(name: string): Promise<string> {
    let url = this.urls.get(name);
    if (!url) {
      // Cached for every later caller, so no one request's client leaving may cancel it.
      url = detached(() => this.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).then(
        (out) => out.QueueUrl!,
        (err: unknown) => {
          this.urls.delete(name);
          const code = (err as { name?: string }).name ?? '';
          if (code.includes('NonExistentQueue') || code === 'QueueDoesNotExist') {
            throw new StorageNotFoundError(`queue ${name}`);
          }
          return rethrowStorage('sqs', 'GetQueueUrl', err);
        },
      );
      this.urls.set(name, url);
    }
    return url;
  }

  async sendBatch(queue: string, messages: OutgoingMessage[]): Promise<BatchSendResult> {
    const url = await this.queueUrl(queue);
    try {
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: messages.map(toEntry),
        }),
      );
      const sent: string[] = [];
      // No prototype, so an entry id `__proto__` (a valid one) is an own key like any other. One
      // loop, not maps and fromEntries: replay reads thousands of these a second.
      const messageIds: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const s of out.Successful ?? []) {
        sent.push(s.Id!);
        messageIds[s.Id!] = s.MessageId!;
      }
      const failed = (out.Failed ?? []).map((f) => ({
        id: f.Id!,
        code: f.Code ?? 'Unknown',
        retryable: !f.SenderFault,
      }));
      return { sent, messageIds, failed };
    } catch (err) {
      return rethrowStorage('sqs', 'SendMessageBatch', err);
    }
  }

  async receive(
    queue: string,
    max: number,
    waitSeconds: number,
    options: ReceiveOptions = {},
  ): Promise<ReceivedMessage[]> {
    const url = await this.queueUrl(queue);
    try {
      const out = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: options.visibilityTimeoutSeconds,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        }),
      );
      return (out.Messages ?? []).map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
        attributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v?.StringValue ?? '']),
        ),
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
        sentAt: Number(m.Attributes?.SentTimestamp ?? Date.now()),
      }));
    } catch (err) {
      return rethrowStorage('sqs', 'ReceiveMessage', err);
    }
  }

  async delete(queue: string, receiptHandle: string): Promise<void> {
    const url = await this.queueUrl(queue);
    try {
      await this.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: receiptHandle }));
    } catch (err) {
      rethrowStorage('sqs', 'DeleteMessage', err);
    }
  }

  async deleteBatch(queue: string, receiptHandles: string[]): Promise<string[]> {
    return this.perTen(queue, receiptHandles, 'DeleteMessageBatch', (QueueUrl, Entries) =>
      this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries })),
    );
  }

  async changeVisibility(queue: string, receiptHandles: string[], seconds: number): Promise<string[]> {
    return this.perTen(queue, receiptHandles, 'ChangeMessageVisibilityBatch', (QueueUrl, Entries) =>
      this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl,
          Entries: Entries.map((e) => ({ ...e, VisibilityTimeout: seconds })),
        }),
      ),
    );
  }

  /** Runs a batch action over receipt handles, 10 per call; answers the handles SQS reported as failed. */
  private async perTen(
    queue: string,
    receiptHandles: string[],
    operation: string,
    call: (
      url: string,
      entries: { Id: string; ReceiptHandle: string }[],
    ) => Promise<{ Failed?: { Id?: string }[] }>,
  ): Promise<string[]> {
    if (receiptHandles.length === 0) return [];
    const url = await this.queueUrl(queue);
    const failed: string[] = [];
    for (let i = 0; i < receiptHandles.length; i += 10) {
      const chunk = receiptHandles.slice(i, i + 10);
      try {
        const out = await call(
          url,
          chunk.map((ReceiptHandle, j) => ({ Id: String(j), ReceiptHandle })),
        );
        for (const f of out.Failed ?? []) failed.push(chunk[Number(f.Id)]);
      } catch (err) {
        rethrowStorage('sqs', operation, err);
      }
    }
    return failed;
  }

  async depth(queue: string): Promise<{ visible: number; inFlight: number }> {
    const url = await this.queueUrl(queue);
    try {
      const out = await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    } catch (err) {
      return rethrowStorage('sqs', 'GetQueueAttributes', err);
    }
  }

  async ping(signal?: AbortSignal): Promise<void> {
    try {
      const url = await this.queueUrl(this.mainQueue);
      await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }), {
        abortSignal: signal,
      });
    } catch (err) {
      rethrowStorage('sqs', 'GetQueueAttributes', err);
    }
  }
}
