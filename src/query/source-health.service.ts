// Source health reads: per (source, type) stats with lag quantiles, duplicates and conflicts, silence
// gaps, and sequence gaps of an entity. Counters and activity come from the IngestStatsStore; the
// duplicate and sequence lists from the EventIndex.
import { Injectable } from '@nestjs/common';
import { daysOf, hoursOf } from '../shared/aws/table-keys';
import { validationError } from '../shared/errors/app-error';
import { EventIndex, EventRecord } from '../shared/events/event-index';
import { IngestStatsStore } from '../shared/ingest-stats/ingest-stats-store';
import { TimeWindow } from '../shared/paging/page';
import { findGaps, Gap } from './activity-gaps';
import { DEFAULT_LIMIT, DuplicatesQueryDto, GapsQueryDto, StatsQueryDto } from './query.dto';
import { decodeQueryCursor, encodeQueryCursor, invalidCursor } from './query-cursor';
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
    const after = q.cursor === undefined ? undefined : statsCursor(q.cursor);
    const window = sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS);
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
      next_cursor: page.next ? encodeQueryCursor({ ...page.next }) : null,
    };
  }

  async duplicates(q: DuplicatesQueryDto): Promise<{
    source: string;
    from: string;
    to: string;
    items: DuplicateView[];
    conflicts: ConflictView[];
    next_cursor: string | null;
  }> {
    const window = sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS);
    // One cursor pages both lists; null in it means that list is finished.
    let dupCursor: string | null = '';
    let confCursor: string | null = '';
    if (q.cursor !== undefined) {
      const state = decodeQueryCursor(q.cursor, ['d', 'c']);
      if (typeof state.d === 'number' || typeof state.c === 'number') throw invalidCursor();
      dupCursor = state.d;
      confCursor = state.c;
    }
    const empty = { items: [], next_cursor: null };
    const [dups, confs] = await Promise.all([
      dupCursor === null
        ? empty
        : this.index.duplicatedEvents(q.source, window, { limit: q.limit, cursor: dupCursor || undefined }),
      confCursor === null
        ? empty
        : this.index.conflicts(q.source, window, { limit: q.limit, cursor: confCursor || undefined }),
    ]);
    const stored = await this.index.getEvents(confs.items.map((c) => c.event_id));
    const more = dups.next_cursor !== null || confs.next_cursor !== null;
    return {
      source: q.source,
      ...window,
      items: dups.items.map(duplicateView),
      conflicts: confs.items.map((c) => conflictView(c, stored.get(c.event_id))),
      next_cursor: more ? encodeQueryCursor({ d: dups.next_cursor, c: confs.next_cursor }) : null,
    };
  }

  async gaps(
    q: GapsQueryDto,
    now: number = Date.now(),
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
    const window = sourceWindow(q.from, q.to, MAX_GAP_WINDOW_DAYS);
    // Minutes that have not happened yet are not silence.
    const examined: TimeWindow = {
      from: window.from,
      to: new Date(Math.max(Date.parse(window.from), Math.min(Date.parse(window.to), now))).toISOString(),
    };
    const active = await this.ingestStats.activity(q.source, daysOf(examined.from, examined.to));
    const report = findGaps(active, examined, q.min_gap_minutes);
    let offset = 0;
    if (q.cursor !== undefined) {
      const { o } = decodeQueryCursor(q.cursor, ['o']);
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
      next_cursor: next ? encodeQueryCursor({ o: offset + q.limit }) : null,
    };
  }

  async sequenceGaps(
    entityId: string,
    source: string,
  ): Promise<{ entity_id: string; source: string; truncated: boolean } & SequenceReport> {
    if (entityId.length < 1 || entityId.length > 256) {
      throw validationError('QUERY.VALIDATION_FAILED', [
        { field: 'entity_id', message: 'entity_id must be 1 to 256 characters' },
      ]);
    }
    const events: EventRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.index.sequencedEventsOfEntity(entityId, source, {
        limit: Math.min(1000, SEQUENCE_MAX_EVENTS - events.length),
        cursor,
      });
      events.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined && events.length < SEQUENCE_MAX_EVENTS);
    const report = analyseSequence(
      events.map((e) => ({ event_id: e.event_id, sequence: e.sequence!, received_at: e.received_at })),
    );
    return { entity_id: entityId, source, truncated: cursor !== undefined, ...report };
  }
}

/** A /stats cursor: the position of the last row of the previous page. */
function statsCursor(cursor: string): StatsPosition {
  const { h, b, r, s, t } = decodeQueryCursor(cursor, ['h', 'b', 'r', 's', 't']);
  if (typeof h !== 'number' || typeof b !== 'number' || typeof r !== 'number') throw invalidCursor();
  if (typeof s !== 'string' || typeof t !== 'string') throw invalidCursor();
  return { h, b, r, s, t };
}
