// An entity's events in order, with what the investigator must see at a glance: repeats, conflicts,
// and per source the sequence numbers that are missing, repeated or arrived out of order.
import type { EventView, SequenceGaps } from './api.types';

export interface EventRow {
  kind: 'event';
  event: EventView;
  /** Received after an event with this higher sequence number. */
  outOfOrderAfter?: number;
  /** Another distinct event carries the same sequence number. */
  repeatedSequence: boolean;
}

export interface MissingRow {
  kind: 'missing';
  source: string;
  from: number;
  to: number;
  count: number;
}

export type TimelineRow = EventRow | MissingRow;

export function timelineRows(events: EventView[], reports: SequenceGaps[]): TimelineRow[] {
  const bySource = new Map(reports.map((r) => [r.source, r]));
  const rows: TimelineRow[] = events.map((event) => {
    const report = bySource.get(event.source);
    const late = report?.out_of_order.find((o) => o.event_id === event.event_id);
    const repeated = report?.repeated.some((r) => r.event_ids.includes(event.event_id)) ?? false;
    return { kind: 'event', event, outOfOrderAfter: late?.after_sequence, repeatedSequence: repeated };
  });
  // A missing range [from, to] follows the event numbered from - 1 of its source (the last one shown).
  for (const report of reports) {
    for (const gap of [...report.missing].sort((a, b) => b.from - a.from)) {
      const marker: MissingRow = { kind: 'missing', source: report.source, ...gap };
      let at = -1;
      rows.forEach((r, i) => {
        if (r.kind === 'event' && r.event.source === report.source && r.event.sequence === gap.from - 1)
          at = i;
      });
      if (at === -1) rows.push(marker);
      else rows.splice(at + 1, 0, marker);
    }
  }
  return rows;
}

/** The sources of the entity's events that number them, for the sequence-gap reads. */
export const sequencedSources = (events: EventView[]): string[] =>
  [...new Set(events.filter((e) => e.sequence !== null).map((e) => e.source))].sort();
