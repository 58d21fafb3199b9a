// The replay marks of a batch not yet known to be counted: each replay's events, and its progress
// layout. Every way the writer learns an event was counted (a commit, a refused marker, a contribution
// or pointer that carries the DONE record) drops it here; what is left is committed on the next try.
import type { ReplayMarks } from '../replay/replay-progress';

export class PendingMarks {
  private readonly left: Map<string, Set<string>>;
  private readonly shards: Map<string, number | undefined>;

  constructor(marks: readonly ReplayMarks[]) {
    this.left = new Map(marks.map((m) => [m.replayId, new Set(m.eventIds)]));
    this.shards = new Map(marks.map((m) => [m.replayId, m.shards]));
  }

  get empty(): boolean {
    return this.left.size === 0;
  }

  /** The replay counted these events (or they need no counting). */
  drop(replayId: string, eventIds: readonly string[]): void {
    const left = this.left.get(replayId);
    if (!left) return;
    for (const id of eventIds) left.delete(id);
    if (left.size === 0) this.left.delete(replayId);
  }

  /** The replay has no job: its events are counted nowhere. */
  forget(replayId: string): void {
    this.left.delete(replayId);
  }

  /** What is left, one ReplayMarks per replay, laid out as its job says. */
  marks(): ReplayMarks[] {
    return [...this.left].map(([replayId, ids]) => {
      const shards = this.shards.get(replayId);
      return { replayId, eventIds: [...ids], ...(shards === undefined ? {} : { shards }) };
    });
  }
}
