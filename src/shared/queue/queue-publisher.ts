// Port for the replay queue (SQS).

export interface OutgoingMessage {
  /** Unique within one sendBatch call. */
  id: string;
  body: string;
  attributes?: Record<string, string>;
}

export interface BatchSendResult {
  sent: string[];
  /** Ids that failed, with whether SQS says retrying can help. */
  failed: { id: string; code: string; retryable: boolean }[];
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  receiveCount: number;
}

export abstract class QueuePublisher {
  /** Queue URL by name, cached; a queue that does not exist is a StorageNotFoundError. */
  abstract queueUrl(name: string): Promise<string>;
  /** SendMessageBatch, up to 10 messages. */
  abstract sendBatch(queue: string, messages: OutgoingMessage[]): Promise<BatchSendResult>;
  abstract receive(queue: string, max: number, waitSeconds: number): Promise<ReceivedMessage[]>;
  abstract delete(queue: string, receiptHandle: string): Promise<void>;
  /** Approximate visible + in-flight message counts. */
  abstract depth(queue: string): Promise<{ visible: number; inFlight: number }>;
  /** Health: GetQueueAttributes on the main queue. */
  abstract ping(signal?: AbortSignal): Promise<void>;
}
