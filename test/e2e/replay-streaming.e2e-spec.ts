// Replay selections stream: plans are tallied and manifests written part by part as the index is
// read, so a selection of several parts comes out complete and in index order. Events are loaded
// straight into the index (the runner only sends pointers, it never reads the raw objects here), with
// the source index in one partition per day and spread over several (SOURCE_INDEX_SHARDS).
import { DynamoTable } from '../../src/shared/aws/dynamo-table';
import { Retention } from '../../src/shared/retention/retention';
import { eventItem } from '../../src/shared/events/dynamo-event-index';
import { EventRecord } from '../../src/shared/events/event-index';
import { PART_SIZE, parsePart } from '../../src/replay/replay-manifest';
import { RawStore } from '../../src/shared/raw/raw-store';
import { ReplayJobStore } from '../../src/replay/replay-job-store';
import { ReplayRunner } from '../../src/replay/replay.runner';
import { putItems } from '../../bench/bench-support';
import { eventRecord } from '../support/factories';
import { auth, startTestApp, TestApp } from '../support/test-app';

const DAY = '2026-11-12';
const WINDOW = { from: `${DAY}T00:00:00Z`, to: `${DAY}T23:59:59Z` };
const COUNT = 2 * PART_SIZE + 300;

describe.each([1, 4])('replay selections stream (SOURCE_INDEX_SHARDS=%i)', (shards) => {
  let t: TestApp;
  let history: EventRecord[];
  const post = (body: object, role: 'operator' | 'investigator' = 'operator') =>
    t
      .http()
      .post('/replay')
      .set(auth(role))
      .send({ reason: 'streaming', filter: { source: 'stream', ...WINDOW }, ...body });

  beforeAll(async () => {
    t = await startTestApp(`streaming-${shards}`, {
      PROCESSOR_ENABLED: 'false',
      REPLAY_MAX_EVENTS: '5000',
      SOURCE_INDEX_SHARDS: String(shards),
    });
    history = Array.from({ length: COUNT }, (_, i) =>
      eventRecord({
        source: 'stream',
        type: i % 3 === 0 ? 'a' : 'b',
        size_bytes: 100 + (i % 7),
        received_at: new Date(Date.parse(`${DAY}T02:00:00Z`) + i * 1000).toISOString(),
      }),
    );
    await putItems(
      t.app.get(DynamoTable),
      history.map((e) => eventItem(e, Retention.forever(), shards)),
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  const manifestOf = async (replayId: string) => {
    const raw = t.app.get(RawStore);
    const header = JSON.parse((await raw.get(`replays/${replayId}/manifest.json`)).toString()) as {
      matched: number;
      truncated: boolean;
      parts: string[];
    };
    const parts = await Promise.all(header.parts.map(async (k) => parsePart(await raw.get(k))));
    return { header, parts };
  };

  it('plans a selection of several pages exactly', async () => {
    const res = await post({ dry_run: true, max_events: 5000 }, 'investigator').expect(200);
    const bytesOf = (type: string) =>
      history.filter((e) => e.type === type).reduce((n, e) => n + e.size_bytes, 0);
    expect(res.body).toMatchObject({
      matched: COUNT,
      bytes: bytesOf('a') + bytesOf('b'),
      by_source_type: [
        { source: 'stream', type: 'a', count: Math.ceil(COUNT / 3), bytes: bytesOf('a') },
        { source: 'stream', type: 'b', count: COUNT - Math.ceil(COUNT / 3), bytes: bytesOf('b') },
      ],
      sample_event_ids: history.slice(0, 10).map((e) => e.event_id),
      truncated: false,
    });
  });

  it('freezes every selected event once, in index order, across parts of PART_SIZE', async () => {
    const res = await post({ max_events: 5000, rate_per_second: 1 }).expect(202);
    const { header, parts } = await manifestOf(res.body.replay_id);
    await t.http().post(`/replay/${res.body.replay_id}/cancel`).set(auth('operator')).expect(200);
    expect(header).toMatchObject({ matched: COUNT, truncated: false });
    expect(parts.map((p) => p.length)).toEqual([PART_SIZE, PART_SIZE, COUNT - 2 * PART_SIZE]);
    expect(parts.flat().map((e) => e.event_id)).toEqual(history.map((e) => e.event_id));
  });

  it('sends a manifest of several parts without reading it back from S3 on the instance that wrote it', async () => {
    const getObjects = async (): Promise<number> => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      return [
        ...text.matchAll(
          /^pipescope_storage_calls_total\{[^}]*dependency="s3"[^}]*operation="GetObject"[^}]*\} (\d+)/gm,
        ),
      ]
        .map((m) => Number(m[1]))
        .reduce((a, b) => a + b, 0);
    };
    const before = await getObjects();
    const res = await post({ max_events: 5000, rate_per_second: 10000 }).expect(202);
    const jobs = t.app.get(ReplayJobStore);
    const deadline = Date.now() + 30_000;
    let job = await jobs.get(res.body.replay_id);
    while (job?.status !== 'completed' && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 100));
      job = await jobs.get(res.body.replay_id);
    }
    expect(job).toMatchObject({ status: 'completed', sent: COUNT, failed: 0 });
    // The header and its three parts came from memory: a pointer replay reads nothing else from S3.
    expect(await getObjects()).toBe(before);
    // S3 holds them all the same, for a resume elsewhere and for the audit.
    const { header, parts } = await manifestOf(res.body.replay_id);
    expect(header).toMatchObject({ matched: COUNT });
    expect(parts.flat()).toHaveLength(COUNT);
  });

  it('lets go of the manifest it kept when a run ends before sending all of it', async () => {
    const kept = async (): Promise<number> => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      const m = /^pipescope_replay_manifest_cache_bytes (\d+)/m.exec(text);
      return Number(m?.[1] ?? NaN);
    };
    const res = await post({ max_events: 5000, rate_per_second: 1 }).expect(202);
    const id = res.body.replay_id as string;
    // Its runner has taken the header and the first two parts; the third is still kept.
    expect(await kept()).toBeGreaterThan(0);
    const runner = t.app.get(ReplayRunner);
    const deadline = Date.now() + 10_000;
    while (!runner.abandon(id) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
    // Stopped as a crash would (no cancel, no checkpoint): the run's end alone lets go of the rest.
    while ((await kept()) > 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    expect(await kept()).toBe(0);
    await t.http().post(`/replay/${id}/cancel`).set(auth('operator')).expect(200);
  });

  it('lists the source timeline through the API in index order, page by page', async () => {
    const listed: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await t
        .http()
        .get('/events')
        .query({ source: 'stream', type: 'a', ...WINDOW, limit: 250, ...(cursor ? { cursor } : {}) })
        .set(auth('investigator'))
        .expect(200);
      const body = res.body as { items: { event_id: string }[]; next_cursor: string | null };
      listed.push(...body.items.map((e) => e.event_id));
      cursor = body.next_cursor ?? undefined;
    } while (cursor);
    expect(listed).toEqual(history.filter((e) => e.type === 'a').map((e) => e.event_id));
  });

  it('stops at max_events and says the selection was truncated', async () => {
    const max = PART_SIZE + 1;
    const res = await post({ max_events: max, rate_per_second: 1 }).expect(202);
    const { header, parts } = await manifestOf(res.body.replay_id);
    await t.http().post(`/replay/${res.body.replay_id}/cancel`).set(auth('operator')).expect(200);
    expect(header).toMatchObject({ matched: max, truncated: true });
    expect(parts.map((p) => p.length)).toEqual([PART_SIZE, 1]);
    expect(parts.flat().map((e) => e.event_id)).toEqual(history.slice(0, max).map((e) => e.event_id));
  });
});
