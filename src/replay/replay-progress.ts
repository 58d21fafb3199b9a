// Replay progress, part of the replay contract: the processor reports each event it handled for a
// replay, and the replay module reads the count back on the job (`processed`) and, to find what was
// sent but never processed, the events themselves (the DONE markers).

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
