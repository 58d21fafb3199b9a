import { ManifestEntry, ManifestPartWriter, parsePart, PART_SIZE } from './replay-manifest';
import { toOutgoing } from '../shared/contracts/replay-message';
import { batchSizeFor } from './replay-pipeline';
import { PlanTally, toView } from './replay-view';

const entry = (i: number, source = 'a', type = 't'): ManifestEntry => ({
  event_id: i.toString(16).padStart(32, '0'),
  s3_key: `raw/${i}.json`,
  payload_sha256: 'f'.repeat(64),
  source,
  type,
  entity_id: `e${i}`,
  occurred_at: '2026-11-25T10:00:00.000Z',
  size_bytes: 100 + i,
});

describe('replay plan, manifest and messages', () => {
  it('plans counts and bytes per source and type, a sample of 10 and the time at the rate', () => {
    const entries = [
      entry(1, 'b', 'x'),
      entry(2, 'a', 'y'),
      entry(3, 'a', 'x'),
      ...Array.from({ length: 9 }, (_, i) => entry(10 + i, 'a', 'x')),
    ];
    const tally = new PlanTally();
    // Streamed in uneven pages, as a selection passes them on.
    tally.add(entries.slice(0, 1));
    tally.add([]);
    tally.add(entries.slice(1, 7));
    tally.add(entries.slice(7));
    const plan = tally.plan(5, true);
    expect(plan.matched).toBe(12);
    expect(plan.bytes).toBe(entries.reduce((n, e) => n + e.size_bytes, 0));
    expect(plan.by_source_type.map((g) => [g.source, g.type, g.count])).toEqual([
      ['a', 'x', 10],
      ['a', 'y', 1],
      ['b', 'x', 1],
    ]);
    expect(plan.sample_event_ids).toEqual(entries.slice(0, 10).map((e) => e.event_id));
    expect(plan.estimated_seconds).toBe(3);
    expect(plan.truncated).toBe(true);
  });

  it('writes the manifest in NDJSON parts of PART_SIZE as entries stream in, reading back identically', async () => {
    const entries = Array.from({ length: 2 * PART_SIZE + 3 }, (_, i) => entry(i));
    const written = new Map<string, Buffer>();
    const writer = new ManifestPartWriter('r1', (key, body) => {
      written.set(key, body);
      return Promise.resolve();
    });
    for (let i = 0; i < entries.length; i += 700) await writer.add(entries.slice(i, i + 700));
    const keys = await writer.finish();
    expect(keys).toEqual([0, 1, 2].map((n) => `replays/r1/part-0000${n}.ndjson`));
    expect(keys.map((k) => parsePart(written.get(k)!).length)).toEqual([PART_SIZE, PART_SIZE, 3]);
    expect(keys.flatMap((k) => parsePart(written.get(k)!))).toEqual(entries);
  });

  it('fails the manifest when a part cannot be written, without an unhandled rejection', async () => {
    const writer = new ManifestPartWriter('r1', () => Promise.reject(new Error('s3 down')));
    await writer.add(Array.from({ length: PART_SIZE }, (_, i) => entry(i)));
    await expect(writer.finish()).rejects.toThrow('s3 down');
  });

  it('builds a pointer message with the replay and event ids as attributes, and s3_range only when present', () => {
    const m = toOutgoing('r1', { ...entry(1), s3_range: [5, 9] }, '0');
    expect(JSON.parse(m.body)).toEqual({
      replay_id: 'r1',
      event_id: entry(1).event_id,
      s3_key: 'raw/1.json',
      s3_range: [5, 9],
      payload_sha256: 'f'.repeat(64),
      source: 'a',
      type: 't',
      entity_id: 'e1',
      occurred_at: '2026-11-25T10:00:00.000Z',
    });
    expect(m.attributes).toMatchObject({ replay_id: 'r1', event_id: entry(1).event_id });
    expect(JSON.parse(toOutgoing('r1', entry(2), '1').body)).not.toHaveProperty('s3_range');
  });

  it('sends batches of 10, smaller below 10 messages a second', () => {
    expect([1, 3, 10, 1000].map(batchSizeFor)).toEqual([1, 3, 10, 10]);
  });

  it('reports progress from sent and failed over matched', () => {
    const job = {
      replay_id: 'r',
      status: 'running' as const,
      filter: {},
      reason: 'r',
      requested_by: 'x',
      queue: 'q',
      created_at: 'c',
      matched: 8,
      bytes: 0,
      truncated: false,
      max_events: 10,
      rate_per_second: 1,
      sent: 3,
      failed: 1,
      processed: 0,
      next_index: 4,
      manifest_key: 'k',
    };
    expect(toView(job)).toMatchObject({ progress: 0.5, started_at: null, finished_at: null });
    expect(toView({ ...job, matched: 0, sent: 0, failed: 0, status: 'completed' }).progress).toBe(1);
  });
});
