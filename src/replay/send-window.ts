// The bookkeeping of one replay run's pipelined sends: batches start in manifest order, finish in any
// order, and only the contiguous prefix of finished batches may be checkpointed (resuming from it
// skips nothing). Pure logic; replay-pipeline.ts drives it.

/** A position in the manifest with the counts of everything before it. */
export interface Acknowledged {
  /** Index of the first manifest entry not yet acknowledged. */
  next: number;
  sent: number;
  failed: number;
  /** Batches of this run inside the prefix. */
  batches: number;
}

export class SendWindow {
  private prefix: Acknowledged;
  /** Index of the next entry to start. */
  private nextStart: number;
  /** Batches this run started. */
  private startedBatches = 0;
  private readonly finished = new Map<number, { end: number; sent: number; failed: number }>();

  constructor(from: { next: number; sent: number; failed: number }) {
    this.prefix = { ...from, batches: 0 };
    this.nextStart = from.next;
  }

  /** The next entry to send. */
  get next(): number {
    return this.nextStart;
  }

  get started(): number {
    return this.startedBatches;
  }

  /** The contiguous prefix of finished batches: what a checkpoint may record. */
  get acknowledged(): Acknowledged {
    return { ...this.prefix };
  }

  /** Starts the batch of the next `count` entries; answers its first index. */
  start(count: number): number {
    const first = this.nextStart;
    this.nextStart += count;
    this.startedBatches += 1;
    return first;
  }

  /** A batch started at `first` finished (SQS answered for every entry of it). */
  finish(first: number, count: number, sent: number, failed: number): void {
    this.finished.set(first, { end: first + count, sent, failed });
    for (let done = this.finished.get(this.prefix.next); done; done = this.finished.get(this.prefix.next)) {
      this.finished.delete(this.prefix.next);
      this.prefix = {
        next: done.end,
        sent: this.prefix.sent + done.sent,
        failed: this.prefix.failed + done.failed,
        batches: this.prefix.batches + 1,
      };
    }
  }
}

export interface CheckpointPolicy {
  /** Most batches started past the stored checkpoint (REPLAY_CHECKPOINT_BATCHES). */
  interval: number;
  /** Longest time between checkpoints while something new is acknowledged (REPLAY_CHECKPOINT_MS). */
  everyMs: number;
}

/**
 * Whether to write a checkpoint now: something new is acknowledged since the last one written, and
 * either half an interval of batches is (so the write lands before the window is full and sending
 * never waits for it) or `everyMs` passed since the last write started.
 */
export function checkpointDue(
  acked: Acknowledged,
  last: Acknowledged,
  msSinceLast: number,
  policy: CheckpointPolicy,
): boolean {
  if (acked.next <= last.next) return false;
  return acked.batches - last.batches >= Math.ceil(policy.interval / 2) || msSinceLast >= policy.everyMs;
}

/** Whether another batch may start: fewer than `interval` batches past the stored checkpoint. */
export const windowOpen = (window: SendWindow, stored: Acknowledged, policy: CheckpointPolicy): boolean =>
  window.started - stored.batches < policy.interval;
