// Sequence analysis for producers that number their events: missing ranges, repeated numbers,
// numbers that arrived after a higher one, and the next number expected.

export interface SequencedEvent {
  event_id: string;
  sequence: number;
  received_at: string;
}

export interface SequenceReport {
  /** Events carrying a sequence that were examined. */
  events: number;
  first_sequence: number | null;
  last_sequence: number | null;
  /** Numbers absent between the lowest and highest seen, as inclusive ranges, lowest first. */
  missing: { from: number; to: number; count: number }[];
  missing_count: number;
  /** Numbers carried by more than one distinct event (a duplicate would share the event_id). */
  repeated: { sequence: number; event_ids: string[] }[];
  /** Events received after an event with a higher number. */
  out_of_order: { sequence: number; event_id: string; received_at: string; after_sequence: number }[];
  next_expected: number | null;
}

/** Analyses events in arrival order (received_at, then event_id). */
export function analyseSequence(events: readonly SequencedEvent[]): SequenceReport {
  const arrived = [...events].sort(
    (a, b) => a.received_at.localeCompare(b.received_at) || a.event_id.localeCompare(b.event_id),
  );
  const byNumber = new Map<number, string[]>();
  const outOfOrder: SequenceReport['out_of_order'] = [];
  let highest = -Infinity;
  for (const e of arrived) {
    const seen = byNumber.get(e.sequence);
    if (seen) seen.push(e.event_id);
    else {
      byNumber.set(e.sequence, [e.event_id]);
      if (e.sequence < highest) {
        outOfOrder.push({
          sequence: e.sequence,
          event_id: e.event_id,
          received_at: e.received_at,
          after_sequence: highest,
        });
      }
    }
    highest = Math.max(highest, e.sequence);
  }
  const numbers = [...byNumber.keys()].sort((a, b) => a - b);
  const missing: SequenceReport['missing'] = [];
  for (let i = 1; i < numbers.length; i++) {
    if (numbers[i] - numbers[i - 1] > 1) {
      missing.push({ from: numbers[i - 1] + 1, to: numbers[i] - 1, count: numbers[i] - numbers[i - 1] - 1 });
    }
  }
  const last = numbers.length ? numbers[numbers.length - 1] : null;
  return {
    events: arrived.length,
    first_sequence: numbers.length ? numbers[0] : null,
    last_sequence: last,
    missing,
    missing_count: missing.reduce((n, r) => n + r.count, 0),
    repeated: numbers
      .filter((n) => byNumber.get(n)!.length > 1)
      .map((n) => ({ sequence: n, event_ids: byNumber.get(n)! })),
    out_of_order: outOfOrder,
    next_expected: last === null ? null : last + 1,
  };
}
