// Source health reads: per (source, type) stats with lag quantiles, duplicates and conflicts, silence
// gaps, and sequence gaps of an entity. Counters and activity come from the IngestStatsStore; the
// duplicate and sequence lists from the EventIndex.
import { Injectable } from '@nestjs/common';
import { daysOf, hoursOf } from '../shared/aws/table-keys';
import { EventIndex, EventRecord } from '../shared/events/event-index';
import { IngestStatsStore } from '../shared/ingest-stats/ingest-stats-store';
import { Page, TimeWindow } from '../shared/paging/page';
import { findGaps, Gap } from './activity-gaps';
import { DEFAULT_LIMIT, DuplicatesQueryDto, GapsQueryDto, StatsQueryDto } from './query.dto';
import { CursorState, invalidCursor, PageCursors, queryClock } from '../shared/paging/page-cursor';
import { ConflictView, conflictView, DuplicateView, duplicateView } from './query-views';
import { HOUR_MS, MAX_GAP_WINDOW_DAYS, MAX_SOURCE_WINDOW_DAYS, sourceWindow } from './query-window';
import { analyseSequence, SequenceReport } from './sequence-gaps';
import { StatsPosition, statsPage, StatsRow, statsRows } from './stats-rows';

/** Sequence analysis reads at most this many events of one entity and says when it stopped. */
export const SEQUENCE_MAX_EVENTS = 10_000;

@Injectable()
export class SourceHealthService {
  constructor(
    private readonly index: EventIndex,
    private readonly ingestStats: IngestStatsStore,
    private readonly cursors: PageCursors,
  ) {}

  /** Every row, or with `limit` or `cursor` one page of them and `next_cursor`. */
  async stats(q: StatsQueryDto): Promise<{
    from: string;
    to: string;
    counted_from: string;
    counted_to: string;
    rows: StatsRow[];
    next_cursor?: string | null;
  }> {
    const clock = queryClock(q.cursor);
    const window = sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS, clock);
    const scope = { stats: q.source ?? null, window };
    const after = q.cursor === undefined ? undefined : statsPosition(this.cursors.open(scope, q.cursor));
    const hours = hoursOf(window.from, window.to);
    const counters = await this.ingestStats.counters(hours, q.source);
    const answer = {
      ...window,
      counted_from: `${hours[0]}:00:00.000Z`,
      counted_to: new Date(Date.parse(`${hours[hours.length - 1]}:00:00.000Z`) + HOUR_MS).toISOString(),
      rows: statsRows(counters),
    };
    if (q.limit === undefined && after === undefined) return answer;
    const page = statsPage(answer.rows, q.limit ?? DEFAULT_LIMIT, after);
    return {
      ...answer,
      rows: page.rows,
      next_cursor: page.next ? this.cursors.seal(scope, { ...page.next }, clock) : null,
    };
  }

  async duplicates(q: DuplicatesQueryDto): Promise<{
    source: string;
    from: string;
    to: string;
    items: DuplicateView[];
    conflicts: ConflictView[];
    next_cursor: string | null;
    stopped_early: boolean;
  }> {
    const clock = queryClock(q.cursor);
    const window = sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS, clock);
    const scope = { duplicates: q.source, window };
    // One cursor pages both lists; null in it means that list is finished.
    let dupCursor: unknown = '';
    let confCursor: unknown = '';
    if (q.cursor !== undefined) {
      const state = this.cursors.open(scope, q.cursor);
      dupCursor = state.d;
      confCursor = state.c;
      const ok = (c: unknown) => c === null || typeof c === 'string';
      if (!ok(dupCursor) || !ok(confCursor)) throw invalidCursor();
    }
    const page = (c: unknown) => ({ limit: q.limit, cursor: (c as string) || undefined, clock });
    const empty: Page<never> = { items: [], next_cursor: null };
    const [dups, confs] = await Promise.all([
      dupCursor === null ? empty : this.index.duplicatedEvents(q.source, window, page(dupCursor)),
      confCursor === null ? empty : this.index.conflicts(q.source, window, page(confCursor)),
    ]);
    const stored = await this.index.getEvents(confs.items.map((c) => c.event_id));
    const more = dups.next_cursor !== null || confs.next_cursor !== null;
    return {
      source: q.source,
      ...window,
      items: dups.items.map(duplicateView),
      conflicts: confs.items.map((c) => conflictView(c, stored.get(c.event_id))),
      next_cursor: more
        ? this.cursors.seal(scope, { d: dups.next_cursor, c: confs.next_cursor }, clock)
        : null,
      stopped_early: Boolean(dups.stopped_early || confs.stopped_early),
    };
  }

  async gaps(
    q: GapsQueryDto,
    now: number = queryClock(q.cursor),
  ): Promise<{
    source: string;
    from: string;
    to: string;
    min_gap_minutes: number;
    examined_minutes: number;
    active_minutes: number;
    items: Gap[];
    next_cursor: string | null;
  }> {
    const window = sourceWindow(q.from, q.to, MAX_GAP_WINDOW_DAYS, now);
    const scope = { gaps: q.source, window, min_gap_minutes: q.min_gap_minutes };
    // Minutes that have not happened yet are not silence.
    const examined: TimeWindow = {
      from: window.from,
      to: new Date(Math.max(Date.parse(window.from), Math.min(Date.parse(window.to), now))).toISOString(),
    };
    const active = await this.ingestStats.activity(q.source, daysOf(examined.from, examined.to));
    const report = findGaps(active, examined, q.min_gap_minutes);
    let offset = 0;
    if (q.cursor !== undefined) {
      const { o } = this.cursors.open(scope, q.cursor);
      if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) throw invalidCursor();
      offset = o;
    }
    const items = report.gaps.slice(offset, offset + q.limit);
    const next = offset + q.limit < report.gaps.length;
    return {
      source: q.source,
      ...window,
      min_gap_minutes: q.min_gap_minutes,
      examined_minutes: report.examined_minutes,
      active_minutes: report.active_minutes,
      items,
      next_cursor: next ? this.cursors.seal(scope, { o: offset + q.limit }, now) : null,
    };
  }

  async sequenceGaps(
    entityId: string,
    source: string,
  ): Promise<{ entity_id: string; source: string; truncated: boolean } & SequenceReport> {
    const events: EventRecord[] = [];
    let cursor: string | undefined;
    let stoppedEarly: boolean;
    do {
      const page = await this.index.sequencedEventsOfEntity(entityId, source, {
        limit: Math.min(1000, SEQUENCE_MAX_EVENTS - events.length),
        cursor,
      });
      events.push(...page.items);
      cursor = page.next_cursor ?? undefined;
      // One spent read budget ends the analysis: the entity's other sources could be endless.
      stoppedEarly = page.stopped_early ?? false;
    } while (cursor !== undefined && events.length < SEQUENCE_MAX_EVENTS && !stoppedEarly);
    const report = analyseSequence(
      events.map((e) => ({ event_id: e.event_id, sequence: e.sequence!, received_at: e.received_at })),
    );
    return { entity_id: entityId, source, truncated: cursor !== undefined, ...report };
  }
}

/** A /stats cursor's state: the position of the last row of the previous page. */
function statsPosition(state: CursorState): StatsPosition {
  const { h, b, r, s, t } = state;
  if (typeof h !== 'number' || typeof b !== 'number' || typeof r !== 'number') throw invalidCursor();
  if (typeof s !== 'string' || typeof t !== 'string') throw invalidCursor();
  return { h, b, r, s, t };
}
