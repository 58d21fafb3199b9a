import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { EventIndex, EventRecord } from '../../src/shared/events/event-index';
import { QueuePublisher, ReceivedMessage } from '../../src/shared/queue/queue-publisher';
import { closeProcessorContext, handler, processorContext } from '../../src/processor/processor.lambda';
import { WireEvent } from '../support/factories';
import { pollUntil, sendBodies, sendReplay } from '../support/replay-messages';
import { auth, startTestApp, TestApp } from '../support/test-app';

const DAY = '2026-11-21';
const ENTITIES = ['lam-1', 'lam-2'];
const WINDOW = `from=${DAY}T00:00:00Z&to=${DAY}T23:59:59Z`;

function history(): WireEvent[] {
  const events: WireEvent[] = [];
  for (let n = 0; n < 24; n++) {
    events.push({
      source: 'billing-svc',
      type: n % 3 === 0 ? 'invoice.paid' : 'invoice.sent',
      entity_id: ENTITIES[n % 2],
      occurred_at: `${DAY}T0${n % 4}:${String(n).padStart(2, '0')}:00.000Z`,
      payload: { n },
    });
  }
  return events;
}

/** An SQS event as Lambda's event source mapping delivers it, built from a real received message. */
function sqsRecord(m: ReceivedMessage, queueArn: string): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: now,
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.attributes).map(([k, v]) => [
        k,
        { dataType: 'String', stringValue: v, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: createHash('md5').update(m.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

async function ingest(t: TestApp, events: WireEvent[]): Promise<EventRecord[]> {
  await t
    .http()
    .post('/ingest/batch')
    .set(auth('producer'))
    .set('content-type', 'application/json')
    .send(JSON.stringify({ events }))
    .expect(200);
  const index = t.app.get(EventIndex);
  const pages = await Promise.all(
    ENTITIES.map((e) =>
      index.eventsOfEntity(e, { from: `${DAY}T00:00:00.000Z`, to: `${DAY}T23:59:59.999Z` }, 'asc', {
        limit: 1000,
      }),
    ),
  );
  return pages.flatMap((p) => p.items);
}

async function aggregates(t: TestApp): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const entity of ENTITIES) {
    const res = await t
      .http()
      .get(`/aggregates?entity_id=${entity}&${WINDOW}`)
      .set(auth('investigator'))
      .expect(200);
    for (const item of res.body.items) {
      // Everything but when it ran and how its messages fell into batches (which makes the versions).
      const rest = { ...(item as Record<string, unknown>) };
      for (const f of ['computed_at', 'version', 'added_event_ids', 'lineage_key']) delete rest[f];
      out.push(rest);
    }
  }
  return out;
}

describe('processor (Lambda handler)', () => {
  let consumerApp: TestApp;
  let lambdaApp: TestApp;
  const events = history();

  afterAll(async () => {
    await closeProcessorContext();
    await lambdaApp?.close();
    await consumerApp?.close();
  });

  it('gives the same aggregates as the consumer and reports poison as a batch item failure', async () => {
    // The consumer path.
    consumerApp = await startTestApp('proc-consumer', { PROCESSOR_WAIT_TIME_S: '1' });
    const consumed = await ingest(consumerApp, events);
    await sendReplay(
      consumerApp.app.get(QueuePublisher),
      consumerApp.env.PIPESCOPE_QUEUE,
      'replay-l',
      consumed,
    );
    const byConsumer = await pollUntil(
      () => aggregates(consumerApp),
      (items) => items.reduce((n, i) => n + (i.value as { count: number }).count, 0) === events.length,
    );
    // Two entities, each in two hours.
    expect(byConsumer).toHaveLength(4);

    // The Lambda path: the same history in another app whose consumer is switched off.
    lambdaApp = await startTestApp('proc-lambda', { PROCESSOR_ENABLED: 'false' });
    // The function's configuration, as Lambda would set it: the same resources as lambdaApp.
    await processorContext(lambdaApp.env);
    const queue = lambdaApp.app.get(QueuePublisher);
    const name = lambdaApp.env.PIPESCOPE_QUEUE;
    const records = await ingest(lambdaApp, events);
    await sendReplay(queue, name, 'replay-l', records);
    await sendBodies(queue, name, [{ body: '{"replay_id": "replay-l"}' }]);
    // Nothing consumes this queue but the handler below.
    expect((await queue.depth(name)).visible).toBe(records.length + 1);

    const failures: string[] = [];
    let poisonId: string | undefined;
    let handled = 0;
    while (handled < records.length + 1) {
      const messages = await queue.receive(name, 10, 1);
      if (messages.length === 0) break;
      const event: SQSEvent = {
        Records: messages.map((m) => sqsRecord(m, `arn:aws:sqs:us-east-1:000000000000:${name}`)),
      };
      const { batchItemFailures } = await handler(event);
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      failures.push(...failed);
      poisonId ??= messages.find((m) => m.body.startsWith('{"replay_id": "replay-l"}'))?.messageId;
      // What Lambda does with a partial batch response: delete the rest.
      for (const m of messages) if (!failed.has(m.messageId)) await queue.delete(name, m.receiptHandle);
      handled += messages.length;
    }
    expect(handled).toBe(records.length + 1);
    expect(failures).toEqual([poisonId]);
    expect(await aggregates(lambdaApp)).toEqual(byConsumer);
  });
});
