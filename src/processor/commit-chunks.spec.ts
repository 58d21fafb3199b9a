import { COMMIT_MAX_ITEMS, Contribution, itemsOf, VersionWrite } from './aggregate-store';
import { progressShard } from '../shared/aws/table-keys';
import { countedOf, countItemOf, countItemsOf, markItemsOf, ReplayMarks } from '../replay/replay-progress';
import { carryOnPointers, commitChunks } from './commit-chunks';

const write = (key: string, eventIds: string[]): VersionWrite => ({
  version: { key } as VersionWrite['version'],
  added: eventIds.map((event_id) => ({ event_id }) as Contribution),
  previous: 0,
});
const items = (c: { writes: VersionWrite[]; marks: ReplayMarks[] }) =>
  c.writes.reduce((n, w) => n + itemsOf(w), 0) + c.marks.reduce((n, m) => n + markItemsOf(m), 0);

describe('commitChunks', () => {
  it('keeps a small batch in one transaction, each replay named once', () => {
    const chunks = commitChunks([write('a', ['e1', 'e2']), write('b', ['e3'])], (w) => w, [
      { replayId: 'r1', eventIds: ['e1', 'e3', 'e4'] },
      { replayId: 'r2', eventIds: ['e2'] },
    ]);
    expect(chunks).toHaveLength(1);
    expect(chunks[0].writes.map((w) => w.version.key)).toEqual(['a', 'b']);
    // Events a write adds carry their DONE record on it; e4 adds nothing and gets a marker.
    expect(chunks[0].marks).toEqual([
      { replayId: 'r1', eventIds: ['e4'], carried: ['e1', 'e3'] },
      { replayId: 'r2', eventIds: [], carried: ['e2'] },
    ]);
  });

  it('carries an event on the same bucket whatever order the batch brings its buckets in', () => {
    const marks = [{ replayId: 'r1', eventIds: ['e1', 'e2'] }];
    for (const writes of [
      [write('b', ['e1']), write('a', ['e1', 'e2'])],
      [write('a', ['e2', 'e1']), write('b', ['e1'])],
    ]) {
      const [chunk] = commitChunks(writes, (w) => w, marks);
      // The first write of the transaction (bucket order) adds both, and carries both.
      expect(chunk.writes.map((w) => w.version.key)).toEqual(['a', 'b']);
      expect(chunk.marks).toEqual([
        { replayId: 'r1', eventIds: [], carried: expect.arrayContaining(['e1', 'e2']) },
      ]);
    }
  });

  it('carries an event for its first replay only, and only on the first write that adds it', () => {
    const chunks = commitChunks([write('a', ['e1']), write('b', ['e1', 'e2'])], (w) => w, [
      { replayId: 'r1', eventIds: ['e1'] },
      { replayId: 'r2', eventIds: ['e1', 'e2'] },
    ]);
    expect(chunks).toHaveLength(1);
    expect(chunks[0].marks).toEqual([
      { replayId: 'r1', eventIds: [], carried: ['e1'] },
      { replayId: 'r2', eventIds: ['e1'], carried: ['e2'] },
    ]);
    // Writes of 2 and 3 items (new buckets: contributions and the pointer), one marker, two count items.
    expect(items(chunks[0])).toBe(2 + 3 + 1 + 2);
    // A write over an earlier version also writes that version's own item.
    expect(itemsOf({ ...write('c', ['e1', 'e2']), previous: 4 })).toBe(4);
  });

  it('puts each mark in the transaction that adds its event, and none over the item limit', () => {
    const writes = Array.from({ length: 12 }, (_, i) =>
      write(
        `k${i}`,
        Array.from({ length: 10 }, (_, j) => `e${i}-${j}`),
      ),
    );
    const eventIds = writes.flatMap((w) => w.added.map((c) => c.event_id));
    const chunks = commitChunks(writes, (w) => w, [
      { replayId: 'r1', eventIds: [...eventIds, 'no-bucket'] },
      { replayId: 'r2', eventIds: eventIds.slice(0, 5) },
    ]);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(items(c)).toBeLessThanOrEqual(COMMIT_MAX_ITEMS);
      const added = new Set(c.writes.flatMap((w) => w.added.map((a) => a.event_id)));
      for (const m of c.marks) {
        for (const id of countedOf(m)) expect(added.has(id) || id === 'no-bucket').toBe(true);
        for (const id of m.carried ?? []) expect(added.has(id)).toBe(true);
      }
    }
    const marked = chunks.flatMap((c) =>
      c.marks.flatMap((m) => countedOf(m).map((id) => `${m.replayId}:${id}`)),
    );
    // r2's events were carried for r1: r2 takes a marker item for each.
    expect(
      chunks.flatMap((c) => c.marks.filter((m) => m.replayId === 'r2').flatMap((m) => m.eventIds)),
    ).toEqual(eventIds.slice(0, 5));
    expect(marked.sort()).toEqual(
      [...eventIds, 'no-bucket']
        .map((id) => `r1:${id}`)
        .concat(eventIds.slice(0, 5).map((id) => `r2:${id}`))
        .sort(),
    );
    const byKey = (a: VersionWrite, b: VersionWrite) => (a.version.key < b.version.key ? -1 : 1);
    expect(chunks.flatMap((c) => c.writes)).toEqual([...writes].sort(byKey));
  });

  it('commits marks alone when no bucket changed, and nothing when there is nothing', () => {
    expect(commitChunks([], (w: VersionWrite) => w, [{ replayId: 'r', eventIds: ['e1', 'e1'] }])).toEqual([
      { writes: [], marks: [{ replayId: 'r', eventIds: ['e1'] }] },
    ]);
    expect(commitChunks([], (w: VersionWrite) => w, [])).toEqual([]);
  });

  it('counts a sharded replay with one count item per transaction, under the item limit, keeping its shards', () => {
    const writes = Array.from({ length: 60 }, (_, i) => write(`k${i}`, [`e${i}`]));
    const eventIds = writes.map((w) => w.added[0].event_id);
    const marks = { replayId: 'r1', eventIds, shards: 64 };
    const chunks = commitChunks(writes, (w) => w, [marks]);
    // 60 writes of 2 items, their events carried, and a count item per transaction: 122 items, two
    // transactions.
    expect(chunks.length).toBe(2);
    for (const c of chunks) {
      expect(items(c)).toBeLessThanOrEqual(COMMIT_MAX_ITEMS);
      expect(c.marks.every((m) => m.shards === 64 && m.eventIds.length === 0)).toBe(true);
    }
    expect(chunks.flatMap((c) => c.marks.flatMap((m) => m.carried ?? [])).sort()).toEqual(
      [...eventIds].sort(),
    );
    expect(markItemsOf(marks)).toBe(61);
    expect(countItemsOf(marks)).toEqual([countItemOf('r1', eventIds[0], 64)]);
    expect(markItemsOf({ replayId: 'r1', eventIds })).toBe(61);
    // Carried events take no marker item but are counted, the first of them choosing the count item.
    const carried = { replayId: 'r1', eventIds: ['x'], carried: eventIds, shards: 64 };
    expect(markItemsOf(carried)).toBe(2);
    expect(countedOf(carried)).toEqual([...eventIds, 'x']);
    expect(countItemsOf(carried)).toEqual([countItemOf('r1', eventIds[0], 64)]);
  });

  it("puts a carried event's DONE record on a new bucket's pointer only where the store puts it", () => {
    // Two new buckets, each created by e1 alone (two aggregators), and one created by e2 and e3.
    const lone = (key: string, id: string): VersionWrite => {
      const w = write(key, [id]);
      w.version.first_input = { ...w.added[0], counted_for: 'stale', counted_shard: 9 };
      return w;
    };
    const a = lone('a', 'e1');
    const b = lone('b', 'e1');
    const c = write('c', ['e2', 'e3']);
    const d = lone('d', 'e4');
    carryOnPointers({
      writes: [a, b, c, d].map((w) => ({ write: w })),
      marks: [
        { replayId: 'r1', eventIds: [], carried: ['e1', 'e2'], shards: 64 },
        { replayId: 'r2', eventIds: ['e4'] },
      ],
    });
    // e1's record goes on the first write adding it; the other pointer carries none, and neither
    // does d's (e4 is counted with a marker): what an earlier attempt set is cleared.
    expect(a.version.first_input).toMatchObject({
      counted_for: 'r1',
      counted_shard: progressShard('e1', 64),
    });
    expect(b.version.first_input).not.toHaveProperty('counted_for');
    expect(b.version.first_input).not.toHaveProperty('counted_shard');
    expect(d.version.first_input).not.toHaveProperty('counted_for');
    expect(c.version.first_input).toBeUndefined();
    // An unsharded job's record has no shard.
    const e = lone('e', 'e5');
    carryOnPointers({ writes: [{ write: e }], marks: [{ replayId: 'r3', eventIds: [], carried: ['e5'] }] });
    expect(e.version.first_input).toEqual({ ...e.added[0], counted_for: 'r3' });
  });
});
