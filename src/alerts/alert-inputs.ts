// Gathers what the rules need about every known source: hourly counter rows (one Query per hour of
// the longest window, all sources at once), and for silence rules the active minutes and the newest
// event of each source. Known sources are those with counter rows in that window, plus any the
// evaluator is already watching (an open alert outlives the window).
import { Injectable } from '@nestjs/common';
import { mapLimit } from '../shared/async/map-limit';
import { daysOf, hoursOf } from '../shared/aws/table-keys';
import { EventIndex } from '../shared/events/event-index';
import { CounterRow, IngestStatsStore } from '../shared/ingest-stats/ingest-stats-store';
import { SourceObservation, windowStart } from './alert-evaluation';
import { Rule, rulesFor } from './alert-rules';

/** Rejected submissions whose source was unreadable are counted under `~`: not a source to alert on. */
const UNREADABLE = '~';
const SOURCE_CONCURRENCY = 8;
const LATEST_SLACK_MS = 60_000;

@Injectable()
export class AlertInputs {
  constructor(
    private readonly stats: IngestStatsStore,
    private readonly index: EventIndex,
  ) {}

  async observe(rules: Rule[], now: number, watched: Iterable<string>): Promise<SourceObservation[]> {
    if (rules.length === 0) return [];
    const from = Math.min(...rules.map((r) => windowStart(r, now)));
    const iso = (t: number) => new Date(t).toISOString();
    const bySource = new Map<string, CounterRow[]>();
    for (const row of await this.stats.counters(hoursOf(iso(from), iso(now)))) {
      if (row.source === UNREADABLE) continue;
      const rows = bySource.get(row.source) ?? [];
      rows.push(row);
      bySource.set(row.source, rows);
    }
    const sources = [...new Set([...bySource.keys(), ...watched])].sort();
    return mapLimit(sources, SOURCE_CONCURRENCY, async (source): Promise<SourceObservation> => {
      const counters = bySource.get(source) ?? [];
      const silence = rulesFor(rules, source).filter((r) => r.kind === 'silence');
      if (silence.length === 0) return { source, counters, activity: new Map() };
      const window = { from: iso(Math.min(...silence.map((r) => windowStart(r, now)))), to: iso(now) };
      const [activity, latest] = await Promise.all([
        this.stats.activity(source, daysOf(window.from, window.to)),
        // Events stored while this evaluation runs are newer than `now`, and still count as sent.
        this.index.latestOfSource(source, { from: window.from, to: iso(now + LATEST_SLACK_MS) }),
      ]);
      return { source, counters, activity, lastReceivedAt: latest?.received_at };
    });
  }
}
