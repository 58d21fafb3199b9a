// Port for the replay queue and its dead-letter queue (SQS): the only code that talks to SQS, besides
// the consumer library, which needs the raw client.

export interface OutgoingMessage {
  /** Unique within one sendBatch call. */
  id: string;
  body: string;
  attributes?: Record<string, string>;
}

export interface BatchSendResult {
  sent: string[];
  /** The SQS message id of each sent entry, by entry id. */
  messageIds: Record<string, string>;
  /** Ids that failed, with whether SQS says retrying can help. */
  failed: { id: string; code: string; retryable: boolean }[];
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  receiveCount: number;
  /** When the message was first sent (SentTimestamp, epoch ms); SQS keeps it when it dead-letters one. */
  sentAt: number;
}

export interface ReceiveOptions {
  /** Overrides the queue's visibility timeout for the received messages. */
  visibilityTimeoutSeconds?: number;
}

export abstract class QueuePublisher {
  /** Queue URL by name, cached; a queue that does not exist is a StorageNotFoundError. */
  abstract queueUrl(name: string): Promise<string>;
  /** SendMessageBatch, up to 10 messages. */
  abstract sendBatch(queue: string, messages: OutgoingMessage[]): Promise<BatchSendResult>;
  abstract receive(
    queue: string,
    max: number,
    waitSeconds: number,
    options?: ReceiveOptions,
  ): Promise<ReceivedMessage[]>;
  abstract delete(queue: string, receiptHandle: string): Promise<void>;
  /** DeleteMessageBatch, 10 at a time; answers the receipt handles that could not be deleted. */
  abstract deleteBatch(queue: string, receiptHandles: string[]): Promise<string[]>;
  /**
   * ChangeMessageVisibilityBatch, 10 at a time (0 makes messages visible again at once); answers the
   * receipt handles SQS refused (no longer in flight: their timeout already ran out).
   */
  abstract changeVisibility(queue: string, receiptHandles: string[], seconds: number): Promise<string[]>;
  /** Approximate visible + in-flight message counts. */
  abstract depth(queue: string): Promise<{ visible: number; inFlight: number }>;
  /** Health: GetQueueAttributes on the main queue. */
  abstract ping(signal?: AbortSignal): Promise<void>;
}
