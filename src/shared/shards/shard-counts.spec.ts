import { RecordedShards, ShardLayout, shardCountsAt } from './shard-counts';
import { ShardCountStore } from './shard-count-store';
import { ShardCountsService } from './shard-counts.service';

const GRACE = 75_000;

describe('shardCountsAt', () => {
  it('writes to shard 0 alone and reads its own count before it has read the record', () => {
    expect(shardCountsAt(8, undefined, 0, GRACE)).toEqual({ write: 1, read: 8 });
  });

  it('reads the recorded count when it is larger than its own (a lowered or older instance)', () => {
    expect(shardCountsAt(2, { shards: 8 }, 0, GRACE)).toEqual({ write: 2, read: 8 });
  });

  it('never writes with more shards than are recorded', () => {
    expect(shardCountsAt(16, { shards: 8 }, 0, GRACE)).toEqual({ write: 8, read: 16 });
  });

  it('writes with the count from before a raise until the grace period has passed', () => {
    const raised: RecordedShards = { shards: 8, before: 4, raised_at: 1_000 };
    expect(shardCountsAt(8, raised, 1_000, GRACE)).toEqual({ write: 4, read: 8 });
    expect(shardCountsAt(8, raised, 1_000 + GRACE - 1, GRACE)).toEqual({ write: 4, read: 8 });
    expect(shardCountsAt(8, raised, 1_000 + GRACE, GRACE)).toEqual({ write: 8, read: 8 });
    // An instance configured with fewer than either keeps its own.
    expect(shardCountsAt(2, raised, 1_000, GRACE)).toEqual({ write: 2, read: 8 });
  });
});

/** The port in memory, with the table's condition: a raise holds only if `before` is still recorded. */
class MemoryShardCountStore extends ShardCountStore {
  readonly item: Partial<Record<ShardLayout, RecordedShards>> = {};
  failReads = false;

  read(): Promise<Partial<Record<ShardLayout, RecordedShards>>> {
    if (this.failReads) return Promise.reject(new Error('storage down'));
    return Promise.resolve(structuredClone(this.item));
  }

  raise(
    layout: ShardLayout,
    shards: number,
    expected: number | undefined,
    before: number,
    at: number,
  ): Promise<boolean> {
    if (this.item[layout]?.shards !== expected) return Promise.resolve(false);
    this.item[layout] = { shards, before, raised_at: at };
    return Promise.resolve(true);
  }
}

describe('ShardCountsService', () => {
  let now = 0;
  const clock = () => now;
  const service = (store: ShardCountStore, sourceIndex: number, counters = 1) =>
    new ShardCountsService(
      store,
      { source_index: sourceIndex, counters },
      { refreshMs: 30_000, graceMs: GRACE },
      clock,
    );

  beforeEach(() => (now = 1_000_000));

  it('records the first count as a raise from 1, so writers wait out the grace period', async () => {
    const store = new MemoryShardCountStore();
    const first = service(store, 4, 2);
    await first.refresh();
    expect(store.item).toEqual({
      source_index: { shards: 4, before: 1, raised_at: now },
      counters: { shards: 2, before: 1, raised_at: now },
    });
    const index = first.counts('source_index');
    expect([index.write(), index.read()]).toEqual([1, 4]);
    now += GRACE;
    expect([index.write(), index.read()]).toEqual([4, 4]);
  });

  it('raises during a rolling deploy without any reader missing a write', async () => {
    const store = new MemoryShardCountStore();
    const old = service(store, 4);
    await old.refresh();
    now += GRACE;
    const fresh = service(store, 8);
    await fresh.refresh();
    expect(store.item.source_index).toEqual({ shards: 8, before: 4, raised_at: now });
    // The new instance writes where the old one still reads until it has looked again.
    expect(fresh.counts('source_index').write()).toBe(4);
    expect(old.counts('source_index').read()).toBe(4);
    now += 30_000;
    await old.refresh();
    expect(old.counts('source_index').read()).toBe(8);
    now += GRACE;
    expect(fresh.counts('source_index').write()).toBe(8);
    // A second new instance booting later does not raise again, and writes with 8 at once.
    const later = service(store, 8);
    await later.refresh();
    expect(later.counts('source_index').write()).toBe(8);
  });

  it("keeps the first raise's old count when a second raise comes within its grace period", async () => {
    const store = new MemoryShardCountStore();
    await service(store, 4).refresh();
    now += GRACE;
    const eight = service(store, 8);
    await eight.refresh();
    now += 5_000;
    const sixteen = service(store, 16);
    await sixteen.refresh();
    expect(store.item.source_index).toEqual({ shards: 16, before: 4, raised_at: now });
    // A reader that last looked before the first raise knows 4 shards: no writer goes past them yet.
    await eight.refresh();
    expect(eight.counts('source_index').write()).toBe(4);
    expect(sixteen.counts('source_index').write()).toBe(4);
    now += GRACE;
    expect(eight.counts('source_index').write()).toBe(8);
    expect(sixteen.counts('source_index').write()).toBe(16);
  });

  it('keeps reading every shard after the setting is lowered', async () => {
    const store = new MemoryShardCountStore();
    await service(store, 8).refresh();
    now += GRACE;
    const lowered = service(store, 2);
    await lowered.refresh();
    expect(store.item.source_index?.shards).toBe(8);
    expect([lowered.counts('source_index').write(), lowered.counts('source_index').read()]).toEqual([2, 8]);
  });

  it('loses a race to another raise and takes its count at the next look', async () => {
    const store = new MemoryShardCountStore();
    await service(store, 4).refresh();
    now += GRACE;
    const a = service(store, 8);
    const b = service(store, 16);
    await Promise.all([a.refresh(), b.refresh()]);
    // One of the two raises held; the other instance writes with no more than what is recorded.
    const recorded = store.item.source_index!.shards;
    expect([8, 16]).toContain(recorded);
    expect(a.counts('source_index').write()).toBeLessThanOrEqual(4);
    expect(b.counts('source_index').write()).toBeLessThanOrEqual(4);
    // The loser raises from what won at its next look; the other learns that at its own.
    for (const s of [a, b, a, b]) await s.refresh();
    expect(store.item.source_index!.shards).toBe(16);
    now += GRACE;
    expect(a.counts('source_index').read()).toBe(16);
    expect(b.counts('source_index').write()).toBe(16);
  });

  it('writes to shard 0 alone while the record cannot be read, and its own count once it can', async () => {
    const store = new MemoryShardCountStore();
    store.failReads = true;
    const s = service(store, 4);
    await s.onApplicationBootstrap();
    expect([s.counts('source_index').write(), s.counts('source_index').read()]).toEqual([1, 4]);
    store.failReads = false;
    await s.refresh();
    now += GRACE;
    expect(s.counts('source_index').write()).toBe(4);
    await s.beforeApplicationShutdown();
  });
});
