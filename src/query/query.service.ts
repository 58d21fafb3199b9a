// The investigator's reads. Every list is one or more DynamoDB Queries through the EventIndex port
// (never a Scan), and the ingest stats and rejected-row stores; windows are checked and normalised here, results shaped for the wire.
import { Injectable } from '@nestjs/common';
import { Attempt, EventIndex, EventRecord } from '../shared/events/event-index';
import { IngestStatsStore } from '../shared/ingest-stats/ingest-stats-store';
import { RawStore } from '../shared/raw/raw-store';
import { RejectedStore } from '../shared/rejected/rejected-store';
import { daysOf, hoursOf } from '../shared/aws/table-keys';
import { AppError, validationError } from '../shared/errors/app-error';
import { findGaps, Gap } from './activity-gaps';
import {
  DuplicatesQueryDto,
  GapsQueryDto,
  LateQueryDto,
  ListEventsQueryDto,
  PageQueryDto,
  RejectedQueryDto,
  StatsQueryDto,
} from './query.dto';
import { decodeQueryCursor, encodeQueryCursor } from './query-cursor';
import { DAY_MS, HOUR_MS, parseWindow } from './query-window';
import { analyseSequence, SequenceReport } from './sequence-gaps';
import { StatsRow, statsRows } from './stats-rows';
import { mapLimit } from '../shared/async/map-limit';
import { Page, TimeWindow } from '../shared/paging/page';
import { RejectedRecord } from '../shared/rejected/rejected-store';

/** Source-partitioned reads issue one Query per day; this bounds them. */
export const MAX_SOURCE_WINDOW_DAYS = 31;
export const MAX_GAP_WINDOW_DAYS = 7;
/** Sequence analysis reads at most this many events of one entity and says when it stopped. */
export const SEQUENCE_MAX_EVENTS = 10_000;
const OPEN_WINDOW = { from: '0000-01-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' };
const EVENT_ID = /^[0-9a-f]{32}$/;

/** An index item on the wire: every field present, null when the event does not carry it. */
export interface EventView {
  event_id: string;
  source: string;
  type: string;
  entity_id: string;
  occurred_at: string;
  received_at: string;
  lag_ms: number;
  late: boolean;
  future: boolean;
  sequence: number | null;
  idempotency_key: string | null;
  schema_version: string | null;
  payload_sha256: string;
  size_bytes: number;
  s3_key: string;
  s3_range: [number, number] | null;
  request_id: string;
  duplicate_count: number;
  conflict_count: number;
  first_duplicate_at: string | null;
  last_duplicate_at: string | null;
}

export interface AttemptView {
  kind: 'first' | Attempt['kind'];
  received_at: string;
  payload_sha256: string;
  request_id: string;
  /** Duplicates share the first submission's payload hash; conflicts do not. */
  same_payload_as_first: boolean;
  /** first: the raw object; conflict: the rejected/ object keeping the conflicting body. */
  s3_key: string | null;
}

export interface DuplicateView {
  event_id: string;
  source: string;
  type: string;
  entity_id: string;
  occurred_at: string;
  received_at: string;
  payload_sha256: string;
  duplicate_count: number;
  first_duplicate_at: string | null;
  last_duplicate_at: string | null;
}

export interface ConflictView {
  event_id: string;
  source: string;
  type: string | null;
  entity_id: string | null;
  idempotency_key: string | null;
  first_received_at: string | null;
  received_at: string;
  request_id: string;
  stored_payload_sha256: string | null;
  received_payload_sha256: string;
  rejected_s3_key: string | null;
}

export interface RejectedView {
  rejection_id: string;
  source: string | null;
  received_at: string;
  request_id: string;
  reason: RejectedRecord['reason'];
  errors: RejectedRecord['errors'];
  event_id: string | null;
  size_bytes: number;
  s3_key: string;
  raw: string | null;
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

export function eventView(e: EventRecord): EventView {
  return {
    event_id: e.event_id,
    source: e.source,
    type: e.type,
    entity_id: e.entity_id,
    occurred_at: e.occurred_at,
    received_at: e.received_at,
    lag_ms: e.lag_ms,
    late: e.late,
    future: e.future,
    sequence: nul(e.sequence),
    idempotency_key: nul(e.idempotency_key),
    schema_version: nul(e.schema_version),
    payload_sha256: e.payload_sha256,
    size_bytes: e.size_bytes,
    s3_key: e.s3_key,
    s3_range: nul(e.s3_range),
    request_id: e.request_id,
    duplicate_count: e.duplicate_count ?? 0,
    conflict_count: e.conflict_count ?? 0,
    first_duplicate_at: nul(e.first_duplicate_at),
    last_duplicate_at: nul(e.last_duplicate_at),
  };
}

const mapPage = <T, R>(page: Page<T>, f: (t: T) => R): Page<R> => ({
  items: page.items.map(f),
  next_cursor: page.next_cursor,
});

@Injectable()
export class QueryService {
  constructor(
    private readonly index: EventIndex,
    private readonly raw: RawStore,
    private readonly ingestStats: IngestStatsStore,
    private readonly rejectedRows: RejectedStore,
  ) {}

  async event(eventId: string, withRaw: boolean): Promise<EventView & { raw?: string }> {
    const event = await this.found(eventId);
    const view = eventView(event);
    if (!withRaw) return view;
    const bytes = await this.raw.get(event.s3_key, event.s3_range);
    return { ...view, raw: bytes.toString('utf8') };
  }

  async attempts(
    eventId: string,
    q: PageQueryDto,
  ): Promise<{
    event_id: string;
    source: string;
    idempotency_key: string | null;
    duplicate_count: number;
    conflict_count: number;
    items: AttemptView[];
    next_cursor: string | null;
  }> {
    const event = await this.found(eventId);
    const head = {
      event_id: event.event_id,
      source: event.source,
      idempotency_key: nul(event.idempotency_key),
      duplicate_count: event.duplicate_count ?? 0,
      conflict_count: event.conflict_count ?? 0,
    };
    const view = (a: Attempt): AttemptView => ({
      kind: a.kind,
      received_at: a.received_at,
      payload_sha256: a.payload_sha256,
      request_id: a.request_id,
      same_payload_as_first: a.payload_sha256 === event.payload_sha256,
      s3_key: nul(a.s3_key),
    });
    const wrap = (inner: string | null) => (inner === null ? null : encodeQueryCursor({ a: inner }));
    // The first submission leads the first page; later pages continue the kept attempts.
    if (q.cursor !== undefined) {
      const { a } = decodeQueryCursor(q.cursor, ['a']);
      if (typeof a !== 'string') throw this.badCursor();
      const page = await this.index.attempts(eventId, { limit: q.limit, cursor: a || undefined });
      return { ...head, items: page.items.map(view), next_cursor: wrap(page.next_cursor) };
    }
    const first: AttemptView = {
      kind: 'first',
      received_at: event.received_at,
      payload_sha256: event.payload_sha256,
      request_id: event.request_id,
      same_payload_as_first: true,
      s3_key: event.s3_key,
    };
    if (q.limit === 1) {
      const more = head.duplicate_count + head.conflict_count > 0;
      return { ...head, items: [first], next_cursor: more ? wrap('') : null };
    }
    const page = await this.index.attempts(eventId, { limit: q.limit - 1 });
    return { ...head, items: [first, ...page.items.map(view)], next_cursor: wrap(page.next_cursor) };
  }

  async events(q: ListEventsQueryDto): Promise<Page<EventView>> {
    const hasEntity = q.entity_id !== undefined;
    const hasSource = q.source !== undefined;
    if (hasEntity === hasSource) {
      const message = hasEntity ? 'give entity_id or source, not both' : 'give entity_id or source';
      throw validationError('QUERY.VALIDATION_FAILED', [
        { field: 'entity_id', message },
        { field: 'source', message },
      ]);
    }
    const page = { limit: q.limit, cursor: q.cursor };
    if (q.entity_id !== undefined) {
      if (q.type !== undefined) {
        throw validationError('QUERY.VALIDATION_FAILED', [
          { field: 'type', message: 'type filters a source timeline; use it with source' },
        ]);
      }
      const window = parseWindow(q.from, q.to, {
        defaultSpanMs: 0,
        defaultFrom: OPEN_WINDOW.from,
        defaultTo: OPEN_WINDOW.to,
      });
      return mapPage(await this.index.eventsOfEntity(q.entity_id, window, q.order ?? 'asc', page), eventView);
    }
    if (q.order !== undefined) {
      throw validationError('QUERY.VALIDATION_FAILED', [
        { field: 'order', message: 'a source timeline is always oldest first (received_at)' },
      ]);
    }
    const window = this.sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS);
    return mapPage(await this.index.eventsOfSource(q.source!, q.type, window, page), eventView);
  }

  async stats(q: StatsQueryDto): Promise<{
    from: string;
    to: string;
    counted_from: string;
    counted_to: string;
    rows: StatsRow[];
  }> {
    const window = this.sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS);
    const hours = hoursOf(window.from, window.to);
    const counters = await this.ingestStats.counters(hours, q.source);
    return {
      ...window,
      counted_from: `${hours[0]}:00:00.000Z`,
      counted_to: new Date(Date.parse(`${hours[hours.length - 1]}:00:00.000Z`) + HOUR_MS).toISOString(),
      rows: statsRows(counters),
    };
  }

  async late(q: LateQueryDto): Promise<Page<EventView>> {
    const window = this.sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS);
    return mapPage(
      await this.index.lateEvents(q.source, window, { limit: q.limit, cursor: q.cursor }, q.min_lag_ms),
      eventView,
    );
  }

  async duplicates(q: DuplicatesQueryDto): Promise<{
    source: string;
    from: string;
    to: string;
    items: DuplicateView[];
    conflicts: ConflictView[];
    next_cursor: string | null;
  }> {
    const window = this.sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS);
    // One cursor pages both lists; null in it means that list is finished.
    let dupCursor: string | null = '';
    let confCursor: string | null = '';
    if (q.cursor !== undefined) {
      const state = decodeQueryCursor(q.cursor, ['d', 'c']);
      if (typeof state.d === 'number' || typeof state.c === 'number') throw this.badCursor();
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
      items: dups.items.map((e) => ({
        event_id: e.event_id,
        source: e.source,
        type: e.type,
        entity_id: e.entity_id,
        occurred_at: e.occurred_at,
        received_at: e.received_at,
        payload_sha256: e.payload_sha256,
        duplicate_count: e.duplicate_count ?? 0,
        first_duplicate_at: nul(e.first_duplicate_at),
        last_duplicate_at: nul(e.last_duplicate_at),
      })),
      conflicts: confs.items.map((c) => {
        const first = stored.get(c.event_id);
        return {
          event_id: c.event_id,
          source: c.source,
          type: nul(first?.type),
          entity_id: nul(first?.entity_id),
          idempotency_key: nul(first?.idempotency_key),
          first_received_at: nul(first?.received_at),
          received_at: c.received_at,
          request_id: c.request_id,
          stored_payload_sha256: nul(first?.payload_sha256),
          received_payload_sha256: c.payload_sha256,
          rejected_s3_key: nul(c.s3_key),
        };
      }),
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
    const window = this.sourceWindow(q.from, q.to, MAX_GAP_WINDOW_DAYS);
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
      if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) throw this.badCursor();
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

  async rejected(q: RejectedQueryDto): Promise<Page<RejectedView>> {
    const window = this.sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS);
    const page = await this.rejectedRows.list(q.source, window, { limit: q.limit, cursor: q.cursor });
    // Bodies too big to keep inline in the index are read from their rejected/ object.
    const items = await mapLimit(page.items, 8, async (r): Promise<RejectedView> => {
      let raw = r.raw;
      if (raw === undefined) {
        const kept = JSON.parse((await this.raw.get(r.s3_key)).toString('utf8')) as { raw?: unknown };
        raw = typeof kept.raw === 'string' ? kept.raw : undefined;
      }
      return {
        rejection_id: r.rejection_id,
        source: nul(r.source),
        received_at: r.received_at,
        request_id: r.request_id,
        reason: r.reason,
        errors: r.errors,
        event_id: nul(r.event_id),
        size_bytes: r.size_bytes,
        s3_key: r.s3_key,
        raw: nul(raw),
      };
    });
    return { items, next_cursor: page.next_cursor };
  }

  private async found(eventId: string): Promise<EventRecord> {
    if (!EVENT_ID.test(eventId)) {
      throw validationError('QUERY.VALIDATION_FAILED', [
        { field: 'event_id', message: 'event_id must be 32 lowercase hex characters' },
      ]);
    }
    const event = await this.index.getEvent(eventId);
    if (!event) throw new AppError('QUERY.EVENT_NOT_FOUND', `No event ${eventId}`, { event_id: eventId });
    return event;
  }

  private sourceWindow(from: string | undefined, to: string | undefined, maxDays: number): TimeWindow {
    return parseWindow(from, to, { defaultSpanMs: DAY_MS, maxSpanMs: maxDays * DAY_MS });
  }

  private badCursor(): AppError {
    return new AppError('QUERY.INVALID_CURSOR', 'cursor: not a cursor this API returned', [
      { field: 'cursor', message: 'not a cursor this API returned' },
    ]);
  }
}
