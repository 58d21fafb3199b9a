import { ReadBudget, ReadLimits } from './read-budget';
import { MergeAt, MergedPage, MergeRequest, mergeShards, Order, ReadShard, resumeOver } from './shard-merge';

interface Row {
  sort: string;
  type: string;
}

/** Days of shards of rows, each shard sorted ascending: an in-memory stand-in for sharded partitions. */
type Store = Row[][][];

/** Deterministic pseudo-random numbers (a fixed LCG), so a failing case is reproducible. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

function makeStore(days: number, shards: number, perDay: number, seed: number, rare = 0.5): Store {
  const r = rng(seed);
  return Array.from({ length: days }, (_, d) => {
    const day: Row[][] = Array.from({ length: shards }, () => []);
    for (let i = 0; i < perDay; i++) {
      const ms = String(Math.floor(r() * 86_400_000)).padStart(8, '0');
      const row = {
        sort: `2026-11-2${d}T${ms}#${i.toString(16).padStart(6, '0')}`,
        type: r() < rare ? 'a' : 'b',
      };
      day[Math.floor(r() * shards)].push(row);
    }
    for (const shard of day) shard.sort((a, b) => (a.sort < b.sort ? -1 : 1));
    return day;
  });
}

/**
 * Reads like DynamoDB's Query: inclusive bounds (`after` replaces the near bound), `limit` items
 * examined, the filter applied after the limit, and a resume token whenever the limit was reached.
 */
function reader(store: Store, order: Order, type?: string): { read: ReadShard<Row>; trips: () => number } {
  let trips = 0;
  const read: ReadShard<Row> = (day, shard, from, limit) => {
    trips += 1;
    const rows = order === 'asc' ? store[day][shard] : [...store[day][shard]].reverse();
    let start = 0;
    if (from.token !== undefined) start = (from.token as number) + 1;
    else if ((from.after ?? from.at) !== undefined) {
      const after = (from.after ?? from.at)!;
      start = rows.findIndex((x) => (order === 'asc' ? x.sort >= after : x.sort <= after));
      if (start < 0) start = rows.length;
    }
    const examined = rows.slice(start, start + limit);
    const last = start + examined.length - 1;
    return Promise.resolve({
      items: examined.filter((x) => !type || x.type === type).map((x) => ({ sort: x.sort, value: x })),
      examined: examined.length,
      ...(examined.length === limit ? { next: { token: last, sort: rows[last].sort } } : {}),
    });
  };
  return { read, trips: () => trips };
}

const roomy: ReadLimits = { maxRoundTrips: 1000, maxItems: 1_000_000, maxMs: 60_000 };

/** Pages to the end, the cursor state passing through JSON as a sealed cursor's does. */
async function pageAll(
  store: Store,
  req: Omit<MergeRequest, 'days' | 'shards'>,
  type?: string,
  limits: ReadLimits = roomy,
): Promise<{ pages: Row[][]; stoppedEarly: number }> {
  const { read } = reader(store, req.order, type);
  const full = { ...req, days: store.length, shards: store[0].length };
  const pages: Row[][] = [];
  let stoppedEarly = 0;
  let at: MergeAt | null = { p: 0 };
  while (at) {
    const page: MergedPage<Row> = await mergeShards(full, at, new ReadBudget(limits), read);
    pages.push(page.items);
    if (page.stopped_early) stoppedEarly += 1;
    at = page.next ? (JSON.parse(JSON.stringify(page.next)) as MergeAt) : null;
    if (pages.length > 10_000) throw new Error('paging did not end');
  }
  return { pages, stoppedEarly };
}

function expected(store: Store, order: Order, type?: string): Row[] {
  const days = store.map((day) =>
    day
      .flat()
      .filter((x) => !type || x.type === type)
      .sort((a, b) => (a.sort < b.sort ? -1 : 1) * (order === 'asc' ? 1 : -1)),
  );
  return (order === 'asc' ? days : [...days].reverse()).flat();
}

/** The store with its days in reading order: merged days are given in the order they are read. */
const inOrder = (store: Store, order: Order): Store => (order === 'asc' ? store : [...store].reverse());

describe('mergeShards', () => {
  for (const order of ['asc', 'desc'] as const) {
    for (const [shards, limit] of [
      [1, 7],
      [4, 1],
      [4, 10],
      [5, 33],
      [8, 1000],
    ] as const) {
      it(`lists every item once, ${order}, over ${shards} shard(s) with pages of ${limit}`, async () => {
        const store = makeStore(3, shards, 120, shards * 31 + limit);
        const { pages, stoppedEarly } = await pageAll(inOrder(store, order), { order, limit });
        expect(pages.flat()).toEqual(expected(store, order));
        expect(stoppedEarly).toBe(0);
        // Every page but the last is full; the last is not empty unless everything was.
        expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
        expect(pages[pages.length - 1].length).toBeLessThanOrEqual(limit);
      });
    }

    it(`keeps a filtered listing exact under a small read budget, ${order}`, async () => {
      const store = makeStore(2, 4, 400, 7, 0.03);
      const limits: ReadLimits = { maxRoundTrips: 3, maxItems: 25, maxMs: 60_000 };
      const { pages, stoppedEarly } = await pageAll(
        inOrder(store, order),
        { order, limit: 5, filteredChunk: 10 },
        'a',
        limits,
      );
      expect(pages.flat()).toEqual(expected(store, order, 'a'));
      expect(stoppedEarly).toBeGreaterThan(0);
      expect(pages.every((p) => p.length <= 5)).toBe(true);
    });
  }

  it('keeps listing when each page may make one round trip only, fewer than the shards', async () => {
    const store = makeStore(2, 6, 60, 5);
    const limits: ReadLimits = { maxRoundTrips: 1, maxItems: 1_000_000, maxMs: 60_000 };
    const { pages } = await pageAll(store, { order: 'asc', limit: 4 }, undefined, limits);
    expect(pages.flat()).toEqual(expected(store, 'asc'));
  });

  it('answers no cursor after the last item when the page ends exactly there', async () => {
    const store = makeStore(1, 3, 12, 3);
    const { pages } = await pageAll(store, { order: 'asc', limit: 12 });
    expect(pages).toHaveLength(1);
    expect(pages[0]).toEqual(expected(store, 'asc'));
  });

  it('moves on when a budget is spent before anything matched', async () => {
    // 300 non-matching rows before the only match: each page can examine 20 of them.
    const rows: Row[] = Array.from({ length: 300 }, (_, i) => ({
      sort: `t${String(i).padStart(4, '0')}`,
      type: 'b',
    }));
    const store: Store = [[rows, [{ sort: 't9999', type: 'a' }]]];
    const limits: ReadLimits = { maxRoundTrips: 100, maxItems: 20, maxMs: 60_000 };
    const { pages, stoppedEarly } = await pageAll(
      store,
      { order: 'asc', limit: 10, filteredChunk: 10 },
      'a',
      limits,
    );
    expect(pages.flat()).toEqual([{ sort: 't9999', type: 'a' }]);
    expect(stoppedEarly).toBeGreaterThanOrEqual(15);
  });

  it('reads each shard of a day from its own position on the next page', async () => {
    const store = makeStore(1, 4, 40, 11);
    const { read, trips } = reader(store, 'asc');
    const req = { days: 1, shards: 4, order: 'asc' as const, limit: 10 };
    const first = await mergeShards(req, { p: 0 }, new ReadBudget(roomy), read);
    expect(first.next?.p).toBe(0);
    // One key per shard at most, so a cursor stays small with many shards.
    const keysHeld = [...first.next!.a!, ...first.next!.h!].filter((k) => k !== null);
    expect(keysHeld.length).toBeLessThanOrEqual(4);
    const before = trips();
    const second = await mergeShards(req, first.next!, new ReadBudget(roomy), read);
    expect([...first.items, ...second.items]).toEqual(expected(store, 'asc').slice(0, 20));
    // One read per shard suffices for a page of 10 over 40 items: the fair share plus slack.
    expect(trips() - before).toBeLessThanOrEqual(8);
  });

  it('skips empty days and empty shards', async () => {
    const store: Store = [
      [[], [], []],
      [[], [{ sort: 'b1', type: 'a' }], []],
      [[], [], []],
      [[{ sort: 'd1', type: 'a' }], [], [{ sort: 'd0', type: 'a' }]],
    ];
    const { pages } = await pageAll(store, { order: 'asc', limit: 2 });
    expect(pages.flat().map((x) => x.sort)).toEqual(['b1', 'd0', 'd1']);
  });
});

describe('resumeOver', () => {
  /**
   * One day over 2 shards, and the same day after a raise to 4: 40 later items spread over all four
   * (writers use the new shards only once every reader knows them), all after the old ones.
   */
  const raised = (): { old: Store; after: Store } => {
    const old = makeStore(1, 2, 60, 21);
    const after: Store = [[...old[0].map((shard) => [...shard]), [], []]];
    for (let i = 0; i < 40; i++) {
      // ms in the old rows are 8 digits under 86,400,000: a 9 after the T sorts after every one.
      after[0][i % 4].push({ sort: `2026-11-20T9${String(i).padStart(7, '0')}#new`, type: 'a' });
    }
    for (const shard of after[0]) shard.sort((a, b) => (a.sort < b.sort ? -1 : 1));
    return { old, after };
  };

  for (const order of ['asc', 'desc'] as const) {
    it(`goes on over shards added after the cursor's page, ${order}, listing each item once`, async () => {
      const { old, after } = raised();
      const budget = () => new ReadBudget(roomy);
      const first = await mergeShards(
        { days: 1, shards: 2, order, limit: 25 },
        { p: 0 },
        budget(),
        reader(old, order).read,
      );
      let at = resumeOver(JSON.parse(JSON.stringify(first.next)) as MergeAt, 4, order) ?? null;
      expect(at).not.toBeNull();
      const { read } = reader(after, order);
      const rest: Row[] = [];
      while (at) {
        const page: MergedPage<Row> = await mergeShards(
          { days: 1, shards: 4, order, limit: 10 },
          at,
          budget(),
          read,
        );
        rest.push(...page.items);
        at = page.next;
      }
      // Ascending, the new items follow the old ones; descending, the listing stays behind its first
      // page, as one partition's would: items newer than its start are not in it.
      expect([...first.items, ...rest]).toEqual(
        order === 'asc' ? expected(after, 'asc') : expected(old, 'desc'),
      );
    });
  }

  it('refuses a cursor over more shards than the day has now, and keeps any other as it is', () => {
    const at: MergeAt = { p: 0, a: [null, 'k1', 'k2', null], h: [null, null, null, 'k3'], d: [0] };
    expect(resumeOver(at, 2, 'asc')).toBeUndefined();
    expect(resumeOver(at, 4, 'desc')).toBe(at);
    expect(resumeOver({ p: 1 }, 8, 'desc')).toEqual({ p: 1 });
    expect(resumeOver(at, 6, 'desc')).toEqual({ ...at, d: [0, 4, 5] });
    expect(resumeOver(at, 6, 'asc')).toBe(at);
  });
});
