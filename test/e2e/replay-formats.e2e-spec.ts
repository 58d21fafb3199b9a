import { Injectable } from '@nestjs/common';
import { QueuePublisher } from '../../src/shared/queue/queue-publisher';
import { RawStore } from '../../src/shared/raw/raw-store';
import { ReplayFormatContext, ReplayFormatter } from '../../src/replay/replay-formatter';
import type { ManifestEntry } from '../../src/replay/replay-manifest';
import { ProcessorService } from '../../src/processor/processor.service';
import { IntegrityError } from '../../src/processor/message-verifier';
import { events, ingestHistory, Ingested, receiveReplay, waitForJob } from '../support/replay';
import { cloudEventProblems } from '../support/cloudevents';
import { auth, startTestApp, TestApp } from '../support/test-app';
import { wireEvent } from '../support/factories';

const WINDOW = {
  from: new Date(Date.now() - 3_600_000).toISOString(),
  to: new Date(Date.now() + 3_600_000).toISOString(),
};

/** A team's own format, as docs/extending.md shows it: one CSV line per event. */
@Injectable()
class CsvLineFormatter extends ReplayFormatter {
  readonly name = 'csv-line';
  format(event: ManifestEntry, context: ReplayFormatContext): string {
    return [context.replay_id, event.event_id, event.source, event.type, event.occurred_at].join(',');
  }
}

const post = (t: TestApp, body: Record<string, unknown>) =>
  t
    .http()
    .post('/replay')
    .set(auth('operator'))
    .set('content-type', 'application/json')
    .send(JSON.stringify({ reason: 'formats', ...body }));

/** Runs a replay of `source` in `format` to its end; its id. */
async function replay(t: TestApp, source: string, format: string): Promise<string> {
  const res = await post(t, { filter: { source, ...WINDOW }, rate_per_second: 1000, format }).expect(202);
  const id = res.body.replay_id as string;
  const job = await waitForJob(t, id, (j) => j.status !== 'pending' && j.status !== 'running');
  expect(job).toMatchObject({ status: 'completed', format, failed: 0 });
  return id;
}

/** 270,000 characters of payload: an event no 256 KiB SQS message can carry. */
const huge = (source: string) => wireEvent({ source, payload: { blob: 'x'.repeat(270_000) } });

describe('replay output formats', () => {
  let t: TestApp;
  let queue: QueuePublisher;
  const source = `fmt-${Date.now()}`;
  let history: Ingested[];

  beforeAll(async () => {
    t = await startTestApp(
      'replay-formats',
      // These tests read the replay queue themselves: no consumer may take the messages first.
      { PROCESSOR_ENABLED: 'false', REPLAY_POLL_MS: '300', INGEST_MAX_EVENT_BYTES: '400000' },
      { replay: { formatters: [CsvLineFormatter] } },
    );
    queue = t.app.get(QueuePublisher);
    history = await ingestHistory(t, [
      ...[1, 2, 3, 4].map((n) =>
        wireEvent({ source, entity_id: `café-ü/${n}`, payload: { n, amount: 1.5, note: 'été 😀' } }),
      ),
      huge(source),
    ]);
  });
  afterAll(() => t.close());

  it('sends CloudEvents 1.0 JSON events that the specification schema accepts', async () => {
    const id = await replay(t, source, 'cloudevents');
    const messages = await receiveReplay(queue, t.env.PIPESCOPE_QUEUE, id, history.length);
    expect(messages).toHaveLength(history.length);
    for (const m of messages) {
      expect(cloudEventProblems(m.body)).toEqual([]);
      expect(m.attributes).toMatchObject({ replay_id: id, format: 'cloudevents' });
      const ce = JSON.parse(m.body) as Record<string, unknown>;
      const sent = history.find((h) => h.event_id === ce.id)!;
      expect(ce).toMatchObject({
        specversion: '1.0',
        source,
        type: sent.event.type,
        time: new Date(sent.event.occurred_at).toISOString(),
        subject: sent.event.entity_id,
        pipescopereplayid: id,
        pipescopepayloadsha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      if (sent.bytes > 262_144) {
        expect(ce).toMatchObject({ pipescopedataomitted: 'too_large' });
        expect(ce).not.toHaveProperty('data');
      } else {
        expect(ce.data).toEqual(sent.event.payload);
        expect(ce.datacontenttype).toBe('application/json');
      }
    }
    // The schema can refuse: an extension name outside a-z0-9, and a second data member.
    const good = messages[0].body;
    expect(cloudEventProblems(good.replace('"pipescopereplayid"', '"pipescope_replay_id"'))).not.toEqual([]);
    expect(cloudEventProblems(good.replace('{', '{"data_base64":"AA==","data":1,'))).not.toEqual([]);
  });

  it('sends full messages with the raw event inline, and a flagged pointer for an event too large to inline', async () => {
    const id = await replay(t, source, 'full');
    const messages = await receiveReplay(queue, t.env.PIPESCOPE_QUEUE, id, history.length);
    expect(messages).toHaveLength(history.length);
    for (const m of messages) {
      expect(Buffer.byteLength(m.body)).toBeLessThanOrEqual(262_144);
      const body = JSON.parse(m.body) as Record<string, unknown>;
      const sent = history.find((h) => h.event_id === body.event_id)!;
      expect(body).toMatchObject({ replay_id: id, format: 'full', s3_key: expect.any(String) });
      if (sent.bytes > 262_144) {
        expect(body.event_omitted).toBe('too_large');
        expect(body).not.toHaveProperty('event');
      } else {
        // The event exactly as the producer sent it.
        expect(body.event).toEqual(sent.event);
        expect(body).not.toHaveProperty('event_omitted');
      }
    }
    expect(messages.filter((m) => m.body.includes('"event_omitted"'))).toHaveLength(1);
  });

  it('records the format in the manifest and shows the exact sample message in the dry-run plan', async () => {
    const plan = await post(t, { filter: { source, ...WINDOW }, dry_run: true, format: 'full' }).expect(200);
    expect(plan.body).toMatchObject({ matched: history.length, format: 'full' });
    const first = plan.body.sample_event_ids[0] as string;
    expect(JSON.parse(plan.body.sample_message.body)).toMatchObject({
      replay_id: '00000000-0000-0000-0000-000000000000',
      event_id: first,
      format: 'full',
    });
    expect(plan.body.sample_message.attributes).toMatchObject({ event_id: first, format: 'full' });
    const id = await replay(t, source, 'pointer');
    const job = (await t.http().get(`/replay/${id}`).set(auth('investigator')).expect(200)).body;
    expect(job.format).toBe('pointer');
    const manifest = await t.app.get(RawStore).get(job.manifest_key as string);
    expect(JSON.parse(manifest.toString())).toMatchObject({ replay_id: id, format: 'pointer' });
    await receiveReplay(queue, t.env.PIPESCOPE_QUEUE, id, history.length);
  });

  it('uses a formatter registered in code, and answers 400 naming format for an unknown one', async () => {
    const plan = await post(t, { filter: { source, ...WINDOW }, dry_run: true, format: 'csv-line' }).expect(
      200,
    );
    const first = history.find((h) => h.event_id === plan.body.sample_event_ids[0])!;
    expect(plan.body.sample_message.body).toBe(
      [
        '00000000-0000-0000-0000-000000000000',
        first.event_id,
        source,
        first.event.type,
        new Date(first.event.occurred_at).toISOString(),
      ].join(','),
    );
    const id = await replay(t, source, 'csv-line');
    const messages = await receiveReplay(queue, t.env.PIPESCOPE_QUEUE, id, history.length);
    expect(messages.map((m) => m.body.split(',').slice(0, 2)).sort()).toEqual(
      history.map((h) => [id, h.event_id]).sort(),
    );
    const unknown = await post(t, { filter: { source, ...WINDOW }, format: 'avro' }).expect(400);
    expect(unknown.body.error).toMatchObject({
      code: 'REPLAY.VALIDATION_FAILED',
      details: [{ field: 'format', message: expect.stringContaining('csv-line') }],
    });
  });
});

describe('the processor reads every built-in format', () => {
  let t: TestApp;
  const source = `fmtp-${Date.now()}`;

  beforeAll(async () => {
    t = await startTestApp('replay-formats-processed', {
      PROCESSOR_WAIT_TIME_S: '1',
      REPLAY_POLL_MS: '300',
      INGEST_MAX_EVENT_BYTES: '400000',
    });
  });
  afterAll(() => t.close());

  it('processes pointer, full and cloudevents replays end to end, each event counted once per replay', async () => {
    const history = await ingestHistory(t, [...events(6, { source }), huge(source)]);
    for (const format of ['pointer', 'full', 'cloudevents']) {
      const id = await replay(t, source, format);
      const job = await waitForJob(t, id, (j) => j.processed >= history.length, 45_000);
      expect(job).toMatchObject({ format, sent: history.length, processed: history.length });
    }
    const dlq = await t.http().get('/dlq').set(auth('operator')).expect(200);
    expect(dlq.body.items).toEqual([]);
  });

  it('verifies an inline event against the index: a full message whose event was altered is refused', async () => {
    const [one] = await ingestHistory(t, [wireEvent({ source })]);
    const plan = await post(t, {
      filter: { event_ids: [one.event_id] },
      dry_run: true,
      format: 'full',
    }).expect(200);
    const body = (plan.body.sample_message.body as string).replace(
      `"amount":${String(one.event.payload.amount)}`,
      '"amount":1000000',
    );
    expect(body).toContain('"amount":1000000');
    const [result] = await t.app.get(ProcessorService).processBatch([{ messageId: 'altered', body }]);
    expect(result.ok).toBe(false);
    const error = !result.ok ? result.error : undefined;
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as IntegrityError).reason).toBe('payload_hash_mismatch');
  });
});
