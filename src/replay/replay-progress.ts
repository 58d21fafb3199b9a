// Replay progress, part of the replay contract: the processor reports each event it handled for a
// replay, and the replay module reads the count back on the job (`processed`) and, to find what was
// sent but never processed, the events themselves (the DONE records). The processor counts in the
// transaction that aggregates the events (AggregateStore.commit takes ReplayMarks); an event whose
// first contribution that transaction adds carries its DONE record on it, the others get a marker. A
// job created with `progress_shards` spreads its markers and counts over that many partitions
// (docs/replay.md, "Progress"); one without keeps them in the job's own partition, counted on the job
// item.
import { progressShard } from '../shared/aws/table-keys';

/** Events of one replay the processor handled, to count once each per (replay, event). */
export interface ReplayMarks {
  replayId: string;
  /** Events counted with a DONE marker item each. */
  eventIds: string[];
  /**
   * Events counted in the same transaction whose DONE record rides on the contribution that
   * transaction adds for them (no marker item; see AggregateStore.commit). Counted like `eventIds`.
   */
  carried?: string[];
  /** The job's `progress_shards`; absent for a job without it (the unsharded layout). */
  shards?: number;
}

/** Why the marks of a refused write did not hold. */
export interface MarksRefusal {
  /** Events this replay counted before (a redelivery): drop them. */
  counted: string[];
  /** The replay has no job (messages sent by hand or by a test): its events are counted nowhere. */
  jobless: boolean;
}

/** The count item an event's mark adds to: the job's (unsharded) or its shard's. */
export const countItemOf = (replayId: string, eventId: string, shards?: number): string =>
  shards === undefined ? replayId : `${replayId}#${progressShard(eventId, shards)}`;

/**
 * The one count item a transaction's marks of a replay add to: the job's, or (sharded) the shard of
 * its first event. Counts need no particular shard, only a sum; one item per transaction keeps the
 * transaction as small as before sharding, and spreads the count's writes as the markers are spread.
 */
export const countItemsOf = (m: ReplayMarks): string[] => {
  const first = countedOf(m)[0];
  return first === undefined ? [] : [countItemOf(m.replayId, first, m.shards)];
};

/** The marks that carry each carried event, by event id (an event is carried for one replay at most). */
export const carriersOf = (marks: readonly ReplayMarks[]): Map<string, ReplayMarks> =>
  new Map(marks.flatMap((m) => (m.carried ?? []).map((id) => [id, m] as const)));

/** Every event the marks count: the carried ones, then those with a marker item. */
export const countedOf = (m: ReplayMarks): string[] => [...(m.carried ?? []), ...m.eventIds];

/** TransactWriteItems items that marks take: a DONE marker per event not carried, and one count item. */
export const markItemsOf = (m: ReplayMarks): number => m.eventIds.length + countItemsOf(m).length;

/** How the processor counts a replay's events: its job's layout. */
export interface ReplayLayout {
  /** `progress_shards` of the job; absent for a job created before sharding. */
  shards?: number;
}

/** The processor's view of replay jobs: whether one exists and how its progress is laid out. */
export abstract class ReplayLayouts {
  /** The job's layout, or undefined when the replay has no job (its events are counted nowhere). */
  abstract of(replayId: string): Promise<ReplayLayout | undefined>;
}

/** Replay progress as the replay module reads it back. */
export abstract class ReplayProgress {
  /**
   * The events of a replay the processor has handled: its DONE markers (kept
   * RETENTION_DONE_MARKERS_DAYS) and the DONE records carried on contributions (kept as long as the
   * aggregates), in the unsharded partition and, given the job's `progress_shards`, each shard.
   */
  abstract processedEventIds(replayId: string, shards?: number): Promise<Set<string>>;
}
