// How a batch's writes and replay marks are cut into transactions of at most COMMIT_MAX_ITEMS items:
// an event's marks go in the transaction that adds its first contribution (aggregated and counted
// together), and its first replay's DONE record rides on that contribution (`carried`, no item of its
// own); the marks of events that add nothing (no bucket, or counted before) fill in after. Writes go
// in bucket order (aggregator, then key), so the bucket that carries an event's DONE record is the
// same on every delivery: a redelivery meets it (refused) before it could carry the record elsewhere.
import { COMMIT_MAX_ITEMS, isInline, itemsOf, VersionWrite } from './aggregate-store';
import { carriersOf, ReplayMarks } from '../replay/replay-progress';
import { progressShard } from '../shared/aws/table-keys';

export interface CommitChunk<W> {
  writes: W[];
  /** Each replay once. */
  marks: ReplayMarks[];
}

interface Unit<W> {
  write?: W;
  /** [replayId, eventId, carried on the write's contribution] */
  marks: [string, string, boolean][];
}

/** The writes (in bucket order) and marks of a commit, in transactions that each fit the item limit. */
export function commitChunks<W>(
  writes: W[],
  writeOf: (w: W) => VersionWrite,
  marks: ReplayMarks[],
): CommitChunk<W>[] {
  const replaysOf = new Map<string, string[]>();
  const shardsOf = new Map(marks.map((m) => [m.replayId, m.shards]));
  for (const { replayId, eventIds } of marks)
    for (const id of new Set(eventIds)) replaysOf.set(id, [...(replaysOf.get(id) ?? []), replayId]);
  const idOf = (w: W) => `${writeOf(w).version.aggregator}#${writeOf(w).version.key}`;
  const inOrder = [...writes].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const units: Unit<W>[] = inOrder.map((write) => ({
    write,
    marks: writeOf(write).added.flatMap((c) => {
      const replays = replaysOf.get(c.event_id) ?? [];
      replaysOf.delete(c.event_id);
      return replays.map((r, i): [string, string, boolean] => [r, c.event_id, i === 0]);
    }),
  }));
  for (const [id, replays] of replaysOf)
    units.push(...replays.map((r) => ({ marks: [[r, id, false]] as [string, string, boolean][] })));

  const out: CommitChunk<W>[] = [];
  let writesIn: W[] = [];
  let marksIn = new Map<string, { eventIds: string[]; carried: string[] }>();
  let countsIn = new Set<string>();
  let items = 0;
  const close = () => {
    if (writesIn.length === 0 && marksIn.size === 0) return;
    out.push({
      writes: writesIn,
      marks: [...marksIn].map(([replayId, { eventIds, carried }]) => {
        const shards = shardsOf.get(replayId);
        return {
          replayId,
          eventIds,
          ...(carried.length === 0 ? {} : { carried }),
          ...(shards === undefined ? {} : { shards }),
        };
      }),
    });
    writesIn = [];
    marksIn = new Map();
    countsIn = new Set();
    items = 0;
  };
  // A replay's first mark in a transaction brings its one count item (countItemsOf).
  const countsOf = (u: Unit<W>) => u.marks.map(([r]) => r);
  const cost = (u: Unit<W>) =>
    (u.write ? itemsOf(writeOf(u.write)) : 0) +
    u.marks.filter(([, , carried]) => !carried).length +
    new Set(countsOf(u).filter((c) => !countsIn.has(c))).size;
  for (const u of units) {
    if (items > 0 && items + cost(u) > COMMIT_MAX_ITEMS) close();
    items += cost(u);
    if (u.write) writesIn.push(u.write);
    for (const c of countsOf(u)) countsIn.add(c);
    for (const [r, id, carried] of u.marks) {
      const m = marksIn.get(r) ?? { eventIds: [], carried: [] };
      (carried ? m.carried : m.eventIds).push(id);
      marksIn.set(r, m);
    }
  }
  close();
  return out;
}

/**
 * A new bucket's lone first input carries the DONE record its chunk's marks carry for it, on the
 * pointer (`counted_for`), when it is the event's first contribution in the chunk (where the store
 * puts a carried record): set on this attempt's version, which the cache keeps once committed.
 */
export function carryOnPointers(chunk: CommitChunk<{ write: VersionWrite }>): void {
  const carrier = carriersOf(chunk.marks);
  for (const { write } of chunk.writes) {
    const first = write.version.first_input;
    const inline = isInline(write) && first !== undefined;
    if (inline) {
      delete first.counted_for;
      delete first.counted_shard;
    }
    // Each carried event once: on the first write of the chunk that adds it.
    const m = write.added.length > 0 ? carrier.get(write.added[0].event_id) : undefined;
    for (const c of write.added) carrier.delete(c.event_id);
    if (!inline || !m) continue;
    first.counted_for = m.replayId;
    if (m.shards !== undefined) first.counted_shard = progressShard(first.event_id, m.shards);
  }
}
