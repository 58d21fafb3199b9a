// Port for why queue messages failed: the processor records each failed attempt of a message (the first
// cause kept, the latest beside it), keyed by the SQS message id, which SQS keeps when it moves the
// message to the dead-letter queue. The DLQ module reads them to say why a message is there.

export const FAILURE_KINDS = [
  'integrity_error',
  'invalid_message',
  'storage_error',
  'processing_error',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface FailureCause {
  kind: FailureKind;
  /** The error code, e.g. `PROCESSOR.INTEGRITY_ERROR`, `STORAGE.UNAVAILABLE`. */
  code: string;
  /** Short machine-readable reason, e.g. `raw_missing`, `payload_hash_mismatch`, `dynamodb_unavailable`. */
  reason: string;
  /** The error message, truncated. */
  message: string;
  at: string;
}

/** One failed attempt to process a message. */
export interface FailureObservation {
  message_id: string;
  /** From the message body, when it could be read. */
  replay_id?: string;
  event_id?: string;
  /** ApproximateReceiveCount of this attempt. */
  receive_count: number;
  cause: FailureCause;
}

export interface MessageFailure {
  message_id: string;
  replay_id?: string;
  event_id?: string;
  first: FailureCause;
  last: FailureCause;
  /** Failed attempts recorded. */
  failures: number;
  /** The receive count of the latest recorded attempt. */
  receive_count: number;
}

export abstract class MessageFailureStore {
  /** Records a failed attempt: the first cause is kept, the last one replaced. */
  abstract record(failure: FailureObservation): Promise<void>;
  /** Failure records by message id (BatchGetItem); ids without one are absent. */
  abstract get(messageIds: string[]): Promise<Map<string, MessageFailure>>;
}
