// Helpers for replay tests: build history through ingest, poll jobs, read the queue back.
import { QueuePublisher, ReceivedMessage } from '../../src/shared/queue/queue-publisher';
import { wireEvent, WireEvent } from './factories';
import { auth, TestApp } from './test-app';

/** A GET /replay/{id} body, as the tests read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are untyped JSON
export type ReplayJobBody = Record<string, any>;

export interface Ingested {
  event_id: string;
  event: WireEvent;
  bytes: number;
}

/** Sends events through POST /ingest/batch (as compact JSON, so each item's stored size is its JSON). */
export async function ingestHistory(t: TestApp, events: WireEvent[]): Promise<Ingested[]> {
  const out: Ingested[] = [];
  for (let i = 0; i < events.length; i += 500) {
    const chunk = events.slice(i, i + 500);
    const res = await t
      .http()
      .post('/ingest/batch')
      .set(auth('producer'))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ events: chunk }))
      .expect(200);
    if (res.body.accepted !== chunk.length) throw new Error(`ingest: ${JSON.stringify(res.body)}`);
    res.body.results.forEach((r: { index: number; event_id: string }) =>
      out.push({
        event_id: r.event_id,
        event: chunk[r.index],
        bytes: Buffer.byteLength(JSON.stringify(chunk[r.index])),
      }),
    );
  }
  return out;
}

export function events(n: number, overrides: Partial<WireEvent> = {}): WireEvent[] {
  return Array.from({ length: n }, () => wireEvent(overrides));
}

/** Polls GET /replay/{id} until `done` holds or the deadline passes; returns the last view. */
export async function waitForJob(
  t: TestApp,
  replayId: string,
  done: (job: ReplayJobBody) => boolean,
  timeoutMs = 30_000,
): Promise<ReplayJobBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http().get(`/replay/${replayId}`).set(auth('investigator')).expect(200);
    if (done(res.body) || Date.now() > deadline) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Receives (and deletes) messages of `replayId` until `count` arrived or nothing more came for
 * `quietMs` after the deadline-bound wait; other replays' messages are deleted and ignored.
 */
export async function receiveReplay(
  queue: QueuePublisher,
  name: string,
  replayId: string,
  count: number,
  timeoutMs = 20_000,
): Promise<ReceivedMessage[]> {
  const got: ReceivedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count && Date.now() < deadline) {
    const batch = await queue.receive(name, 10, 1);
    for (const m of batch) {
      await queue.delete(name, m.receiptHandle);
      if (m.attributes.replay_id === replayId) got.push(m);
    }
  }
  return got;
}

/** Receives whatever else arrives for `replayId` within `ms` (to show nothing more comes). */
export async function receiveMore(
  queue: QueuePublisher,
  name: string,
  replayId: string,
  ms: number,
): Promise<ReceivedMessage[]> {
  return receiveReplay(queue, name, replayId, Number.MAX_SAFE_INTEGER, ms);
}
