// Replay messages as the replay module sends them, built from the index, plus polling helpers.
import { EventRecord } from '../../src/shared/events/event-index';
import { QueuePublisher } from '../../src/shared/queue/queue-publisher';

export function replayMessageBody(replayId: string, e: EventRecord): string {
  return JSON.stringify({
    replay_id: replayId,
    event_id: e.event_id,
    s3_key: e.s3_key,
    ...(e.s3_range ? { s3_range: e.s3_range } : {}),
    payload_sha256: e.payload_sha256,
    source: e.source,
    type: e.type,
    entity_id: e.entity_id,
    occurred_at: e.occurred_at,
  });
}

/** Sends raw bodies in batches of 10, failing the test if SQS refuses any. */
export async function sendBodies(
  queue: QueuePublisher,
  queueName: string,
  bodies: { body: string; attributes?: Record<string, string> }[],
): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const chunk = bodies.slice(i, i + 10);
    const out = await queue.sendBatch(
      queueName,
      chunk.map((b, j) => ({ id: String(j), body: b.body, attributes: b.attributes })),
    );
    if (out.failed.length > 0) throw new Error(`SQS refused messages: ${JSON.stringify(out.failed)}`);
  }
}

export async function sendReplay(
  queue: QueuePublisher,
  queueName: string,
  replayId: string,
  events: EventRecord[],
): Promise<void> {
  await sendBodies(
    queue,
    queueName,
    events.map((e) => ({
      body: replayMessageBody(replayId, e),
      attributes: { replay_id: replayId, event_id: e.event_id },
    })),
  );
}

/** Polls `probe` until `done` holds or the deadline passes; returns the last value either way. */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
