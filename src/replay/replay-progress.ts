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

/** Replay progress as the processor reports it. */
export abstract class ReplayProgress {
  /**
   * Counts one processed event of a replay, once per (replay, event) however often it is delivered.
   * Returns true when this call counted it.
   */
  abstract markProcessed(replayId: string, eventId: string): Promise<boolean>;
  /**
   * Counts several processed events of one replay at once, each once per (replay, event) however
   * often it is delivered. Returns how many this call counted (0 when the replay has no job).
   */
  abstract markProcessedMany(replayId: string, eventIds: string[]): Promise<number>;
  /** The events of a replay the processor has handled (its DONE markers, kept RETENTION_DONE_MARKERS_DAYS). */
  abstract processedEventIds(replayId: string): Promise<Set<string>>;
}
