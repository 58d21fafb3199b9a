// Keeping raw/ to what the index points at, pure: which raw bytes a request wrote that no index item
// ended up pointing to, and whether removing them is safe. IngestService carries the plans out.
//
// A single-event object is content-addressed by its bytes, so when the event settles as a repeat
// (duplicate or conflict) whose stored item points elsewhere, nothing points at it: remove it.
// A batch object holds the items that were not yet indexed when it was written; an item that lost its
// claim to a concurrent request in the meantime leaves its range unreferenced. Then the object is
// rewritten without those items (the accepted ones re-pointed) and removed, unless that could take
// bytes from under an index item: a failed claim may have landed, and a duplicate whose stored item
// points at this very object means a concurrent copy of the same batch shares it.
import type { EventRecord } from '../shared/events/event-index';
import type { Prepared, Settled } from './ingest-model';

/** The stored event a settled submission ended up with (none when its storage failed). */
export function storedEventOf(settled: Settled): EventRecord | undefined {
  if (settled.outcome === 'conflict') return settled.stored;
  return settled.outcome === 'failed' ? undefined : settled.record;
}

/** Where the stored event of a settled repeat keeps its bytes. */
export function storedKeyOf(settled: Settled): string | undefined {
  return settled.outcome === 'duplicate' || settled.outcome === 'conflict'
    ? storedEventOf(settled)!.s3_key
    : undefined;
}

/** True when a single-event object at `key` is referenced by nobody after `settled`. */
export function singleObjectUnreferenced(settled: Settled, key: string): boolean {
  const stored = storedKeyOf(settled);
  return stored !== undefined && stored !== key;
}

export type BatchCleanup =
  | { action: 'none' }
  /** No item points at the object. */
  | { action: 'delete' }
  /** Only `keep` point at it: copy them to a new object, re-point them, then delete the old one. */
  | { action: 'rewrite'; keep: Prepared[] };

/** What to do with the batch object at `key` holding `written`, once each has settled. */
export function batchCleanup(written: Prepared[], settled: Map<number, Settled>, key: string): BatchCleanup {
  const outcomes = written.map((p) => settled.get(p.index)!);
  const lost = outcomes.filter((s) => s.outcome === 'duplicate' || s.outcome === 'conflict');
  if (lost.length === 0) return { action: 'none' };
  if (outcomes.some((s) => s.outcome === 'failed') || lost.some((s) => storedKeyOf(s) === key)) {
    return { action: 'none' };
  }
  const keep = written.filter((p) => settled.get(p.index)!.outcome === 'accepted');
  return keep.length === 0 ? { action: 'delete' } : { action: 'rewrite', keep };
}
