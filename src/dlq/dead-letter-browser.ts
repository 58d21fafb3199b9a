// Reads the dead-letter queue without consuming it. SQS has no peek: messages are received with a
// short visibility timeout (HOLD_SECONDS), held while the caller looks at them or moves some, and the
// rest are made visible again at once (ChangeMessageVisibility 0). Nothing is deleted unless asked;
// a crash while holding only delays the held messages by HOLD_SECONDS. Trade-offs (docs/operations.md):
// each look adds one to SQS's ApproximateReceiveCount, and while messages are held a concurrent look
// does not see them.
import { OutgoingMessage, QueuePublisher, ReceivedMessage } from '../shared/queue/queue-publisher';

/** How long a looked-at message stays invisible if it is not released (crash, timeout). */
export const HOLD_SECONDS = 30;
/** Long poll of each receive: it asks every SQS server, so an empty answer means nothing is visible. */
const WAIT_SECONDS = 1;
/** SQS allows at most 10 message attributes. */
const MAX_ATTRIBUTES = 10;

export interface MoveOutcome {
  message: ReceivedMessage;
  /** The copy's id in the target queue; absent when the send failed. */
  newMessageId?: string;
  /** moved: sent and deleted; not_deleted: sent, but still in the DLQ too; send_failed: left in the DLQ. */
  status: 'moved' | 'not_deleted' | 'send_failed';
}

export class DeadLetterBrowser {
  constructor(
    private readonly queue: QueuePublisher,
    readonly name: string,
  ) {}

  /**
   * Receives and holds distinct messages until `max` are held, every id in `wanted` is held, or no
   * visible message is left. On failure, whatever was held is released before the error is thrown.
   */
  async hold(max: number, wanted?: ReadonlySet<string>): Promise<ReceivedMessage[]> {
    const held = new Map<string, ReceivedMessage>();
    const foundAll = () => wanted !== undefined && [...wanted].every((id) => held.has(id));
    try {
      while (held.size < max && !foundAll()) {
        const got = await this.queue.receive(this.name, Math.min(10, max - held.size), WAIT_SECONDS, {
          visibilityTimeoutSeconds: HOLD_SECONDS,
        });
        const fresh = got.filter((m) => !held.has(m.messageId)).length;
        // The newest receipt handle is the valid one when a hold ran out and a message came back.
        for (const m of got) held.set(m.messageId, m);
        if (fresh === 0) break;
      }
    } catch (err) {
      await this.release([...held.values()]).catch(() => undefined);
      throw err;
    }
    return [...held.values()];
  }

  /** Makes held messages visible again at once; one SQS no longer holds for us is back already. */
  async release(messages: ReceivedMessage[]): Promise<void> {
    await this.queue.changeVisibility(
      this.name,
      messages.map((m) => m.receiptHandle),
      0,
    );
  }

  /** Deletes held messages; answers the ids that could not be deleted. */
  async remove(messages: ReceivedMessage[]): Promise<string[]> {
    const failed = new Set(
      await this.queue.deleteBatch(
        this.name,
        messages.map((m) => m.receiptHandle),
      ),
    );
    return messages.filter((m) => failed.has(m.receiptHandle)).map((m) => m.messageId);
  }

  /**
   * Moves held messages to `target` with no loss: each is sent first and deleted from the DLQ only
   * once SQS accepted the copy. A message whose send failed is released, still in the DLQ. A delete
   * that fails after the send leaves it in both queues (the processor is idempotent).
   */
  async move(messages: ReceivedMessage[], target: string): Promise<MoveOutcome[]> {
    const outcomes: MoveOutcome[] = [];
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const out = await this.queue.sendBatch(
        target,
        chunk.map((m, j) => copyOf(m, String(j))),
      );
      const sent = chunk.filter((_, j) => out.messageIds[String(j)] !== undefined);
      const unsent = chunk.filter((_, j) => out.messageIds[String(j)] === undefined);
      const notDeleted = new Set(sent.length > 0 ? await this.remove(sent) : []);
      if (unsent.length > 0) await this.release(unsent);
      chunk.forEach((m, j) => {
        const newMessageId = out.messageIds[String(j)];
        if (newMessageId === undefined) outcomes.push({ message: m, status: 'send_failed' });
        else
          outcomes.push({
            message: m,
            newMessageId,
            status: notDeleted.has(m.messageId) ? 'not_deleted' : 'moved',
          });
      });
    }
    return outcomes;
  }
}

/** The copy sent back: the same body and attributes, plus where it came from when there is room. */
function copyOf(m: ReceivedMessage, id: string): OutgoingMessage {
  const attributes = { ...m.attributes };
  if (Object.keys(attributes).length < MAX_ATTRIBUTES || 'redriven_from' in attributes)
    attributes.redriven_from = m.messageId;
  return { id, body: m.body, attributes };
}
