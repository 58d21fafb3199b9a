// Replay progress, part of the replay contract: the processor reports each event it handled for a
// replay, and the replay module reads the count back on the job (`processed`) and, to find what was
// sent but never processed, the events themselves (the DONE markers). The processor counts in the
// transaction that aggregates the events (AggregateStore.commit takes ReplayMarks).

/** Events of one replay the processor handled, to count once each per (replay, event). */
export interface ReplayMarks {
  replayId: string;
  eventIds: string[];
}

/** Why the marks of a refused write did not hold. */
export interface MarksRefusal {
  /** Events this replay counted before (a redelivery): drop them. */
  counted: string[];
  /** The replay has no job (messages sent by hand or by a test): its events are counted nowhere. */
  jobless: boolean;
}

/** TransactWriteItems items that marks take: a DONE marker per event and the job's count. */
export const markItemsOf = (m: ReplayMarks): number => m.eventIds.length + 1;

/** Replay progress as the replay module reads it back. */
export abstract class ReplayProgress {
  /** The events of a replay the processor has handled (its DONE markers, kept RETENTION_DONE_MARKERS_DAYS). */
  abstract processedEventIds(replayId: string): Promise<Set<string>>;
}
