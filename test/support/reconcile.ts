// Helpers for reconcile tests: raw objects written the way ingest writes them but never indexed (as
// when the app dies between the raw write and the index claim), and polling a job to its end.
import { prepareEvent, ndjsonObject } from '../../src/ingest/ingest-model';
import { validateIngestEvent } from '../../src/ingest/ingest.dto';
import { batchRawKey, singleRawKey } from '../../src/ingest/raw-keys';
import { eventId, normaliseTime } from '../../src/shared/identity/event-identity';
import { RawStore } from '../../src/shared/raw/raw-store';
import { WireEvent } from './factories';
import { auth, TestApp } from './test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are untyped JSON
export type Body = Record<string, any>;

export interface Orphan {
  event_id: string;
  s3_key: string;
  range?: [number, number];
}

/** Stores one event (as `text`, default compact JSON) as POST /ingest would, and stops before the index claim. */
export async function orphanSingle(raw: RawStore, e: WireEvent, text = JSON.stringify(e)): Promise<Orphan> {
  const bytes = Buffer.from(text);
  const id = eventId(e);
  const key = singleRawKey(e.source, normaliseTime(e.occurred_at), id, bytes);
  await raw.putIfAbsent(key, bytes, 'application/json');
  return { event_id: id, s3_key: key };
}

/** Stores events as POST /ingest/batch would, and stops before the index claims. */
export async function orphanBatch(raw: RawStore, events: WireEvent[]): Promise<Orphan[]> {
  const prepared = events.map((e, i) => {
    const checked = validateIngestEvent(e);
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    return prepareEvent(i, checked.event, Buffer.from(JSON.stringify(e)), Date.now(), 300_000);
  });
  const object = ndjsonObject(prepared);
  const key = batchRawKey(new Date().toISOString(), object.body);
  await raw.putIfAbsent(key, object.body, 'application/x-ndjson');
  return prepared.map((p) => ({ event_id: p.eventId, s3_key: key, range: object.ranges.get(p.index) }));
}

/** Polls GET /admin/reconcile/{id} until `done` holds (default: the job ended). */
export async function waitForReconcile(
  t: TestApp,
  id: string,
  done: (job: Body) => boolean = (job) => job.status === 'completed' || job.status === 'failed',
  timeoutMs = 30_000,
): Promise<Body> {
  const deadline = Date.now() + timeoutMs;
  let last: Body = {};
  while (Date.now() < deadline) {
    last = (await t.http().get(`/admin/reconcile/${id}`).set(auth('operator')).expect(200)).body as Body;
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`reconcile ${id} not done in ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** Every finding of a job (all pages), optionally of one kind. */
export async function allFindings(t: TestApp, id: string, kind?: string): Promise<Body[]> {
  const out: Body[] = [];
  let cursor: string | undefined;
  do {
    const res = await t
      .http()
      .get(`/admin/reconcile/${id}/findings`)
      .query({ limit: 100, ...(kind ? { kind } : {}), ...(cursor ? { cursor } : {}) })
      .set(auth('operator'))
      .expect(200);
    out.push(...(res.body.items as Body[]));
    cursor = (res.body.next_cursor as string | null) ?? undefined;
  } while (cursor);
  return out;
}
