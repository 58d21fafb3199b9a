// One page of a time-ordered listing whose items of a day are spread over several partitions (the
// source index shards, docs/scaling.md): each day's shards are read side by side and merged by the
// sort key (`<received_at>#<event_id>`, unique and totally ordered), days one after another, in the
// query's order. Pure over a `read` function, so the paging rules are unit-tested without storage.
//
// The cursor holds, for the day it stopped in, one position per shard: the sort key of its next match
// when one was seen but not emitted, else the sort key up to which that shard was consumed (emitted,
// or examined and filtered out), or that it is finished. A shard then continues from there, so nothing
// is lost or repeated across pages, and a read that spends its budget before it can emit anything
// (a filter matching rarely, more shards than round trips) still moves on: the next page needs no
// read of a shard whose next match is known until that match is the one to emit.
import { ReadBudget } from './read-budget';

export type Order = 'asc' | 'desc';

/** Where one shard continues: after a sort key, at one (inclusive), or from storage's resume token. */
export interface ShardFrom {
  after?: string;
  at?: string;
  token?: unknown;
}

/** One round trip on one shard: matching items in order, examined count, and where to go on (if more). */
export interface ShardChunk<T> {
  items: { sort: string; value: T }[];
  examined: number;
  next?: { token: unknown; sort: string };
}

export type ReadShard<T> = (
  day: number,
  shard: number,
  from: ShardFrom,
  limit: number,
) => Promise<ShardChunk<T>>;

/**
 * Cursor state: day index; per shard of that day the key it was consumed up to (null: from the
 * start) and its next match if known (null: not known); the shards that are done.
 */
export interface MergeAt {
  p: number;
  a?: (string | null)[];
  h?: (string | null)[];
  d?: number[];
}

export interface MergeRequest {
  days: number;
  shards: number;
  order: Order;
  limit: number;
  /** Filtered reads examine at least this many items per round trip (a rare match costs few trips). */
  filteredChunk?: number;
}

export interface MergedPage<T> {
  items: T[];
  next: MergeAt | null;
  stopped_early?: boolean;
}

interface ShardState<T> {
  /** Consumed up to here (exclusive start of what is left), from the cursor or the last examined key. */
  after?: string;
  token?: unknown;
  /** Sort key of the last item storage examined, when more remain beyond it. */
  scanned?: string;
  /** The sort key of the next match, seen on an earlier page and not read again yet. */
  head?: string;
  buffer: { sort: string; value: T }[];
  done: boolean;
}

/**
 * A cursor's position carried over to the shard count its day is read with now, or undefined when it
 * cannot be. Between a cursor's page and the next, the count only grows (a raise, docs/scaling.md):
 * writers use new shards only once every reader knows them, so every item in a shard the cursor did
 * not know came after everything the cursor's pages emitted. Ascending, those shards are read from the
 * start, like a shard whose position is not known; descending, they hold nothing past the position
 * and are done. A cursor over more shards than the day has now (a record lowered by hand) is refused.
 */
export function resumeOver(at: MergeAt, shards: number, order: Order): MergeAt | undefined {
  const had = at.a?.length;
  if (had === undefined || had === shards) return at;
  if (had > shards) return undefined;
  if (order === 'asc') return at;
  const added = Array.from({ length: shards - had }, (_, i) => had + i);
  return { ...at, d: [...(at.d ?? []), ...added] };
}

/** The key further along in reading order. */
const further = (order: Order, a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : (order === 'asc' ? a > b : a < b) ? a : b;

/** The items a read of `want` per shard asks for: a fair share of the page, with slack for uneven shards. */
export function shardWant(need: number, shards: number, filteredChunk?: number): number {
  const want = Math.min(need + 1, Math.ceil(((need + 1) * 1.5) / shards) + 1);
  return filteredChunk === undefined ? want : Math.max(want, filteredChunk);
}

export async function mergeShards<T>(
  req: MergeRequest,
  at: MergeAt,
  budget: ReadBudget,
  read: ReadShard<T>,
): Promise<MergedPage<T>> {
  const items: T[] = [];
  for (let p = at.p; p < req.days; p++) {
    const first = p === at.p;
    const shards: ShardState<T>[] = Array.from({ length: req.shards }, (_, s) => ({
      after: (first ? at.a?.[s] : undefined) ?? undefined,
      head: (first ? at.h?.[s] : undefined) ?? undefined,
      buffer: [],
      done: first && (at.d ?? []).includes(s),
    }));
    let last: string | undefined;
    const next = (s: ShardState<T>): string | undefined => s.buffer[0]?.sort ?? s.head;
    const finished = (s: ShardState<T>): boolean => s.done && next(s) === undefined;
    // One key per shard at most: its next match when known (read again from there), else how far it got.
    const position = (): MergeAt => ({
      p,
      a: shards.map((s) =>
        finished(s) || next(s) !== undefined
          ? null
          : (further(req.order, further(req.order, s.after, last), s.scanned) ?? null),
      ),
      h: shards.map((s) => next(s) ?? null),
      d: shards.flatMap((s, i) => (finished(s) ? [i] : [])),
    });
    const stop = (): MergedPage<T> => ({ items, next: position(), stopped_early: items.length < req.limit });
    const fill = async (i: number, from: ShardFrom): Promise<void> => {
      const s = shards[i];
      const want = shardWant(req.limit - items.length, req.shards, req.filteredChunk);
      const chunk = await read(p, i, from, budget.limit(want));
      budget.charge(chunk.examined);
      // A read after a key starts at that key (inclusive bounds): it was consumed already.
      s.buffer = from.after === undefined ? chunk.items : chunk.items.filter((x) => x.sort !== from.after);
      s.token = chunk.next?.token;
      s.scanned = chunk.next?.sort;
      s.done = chunk.next === undefined;
      s.head = undefined;
    };
    for (;;) {
      // Every unfinished shard needs its next match known before the smallest (or largest) is.
      for (let i = 0; i < shards.length; i++) {
        const s = shards[i];
        while (s.buffer.length === 0 && s.head === undefined && !s.done) {
          if (budget.spent()) return stop();
          await fill(i, s.token !== undefined ? { token: s.token } : { after: s.after });
        }
      }
      let pick = -1;
      let best: string | undefined;
      for (let i = 0; i < shards.length; i++) {
        const key = next(shards[i]);
        if (key !== undefined && (best === undefined || (req.order === 'asc' ? key < best : key > best))) {
          [pick, best] = [i, key];
        }
      }
      if (pick < 0) break;
      if (items.length === req.limit) return { items, next: position() };
      const s = shards[pick];
      if (s.buffer.length === 0) {
        // Known from an earlier page but not in hand: read it again, from that key on.
        if (budget.spent()) return stop();
        await fill(pick, { at: s.head });
        continue;
      }
      const head = s.buffer.shift()!;
      items.push(head.value);
      last = head.sort;
    }
    if (items.length === req.limit && p + 1 < req.days) return { items, next: { p: p + 1 } };
  }
  return { items, next: null };
}
