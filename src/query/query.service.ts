// The investigator's event reads: one event with its raw bytes and attempts, an entity's or a source's
// timeline, late arrivals and rejected rows. Every list is one or more DynamoDB Queries (never a Scan)
// through the EventIndex and RejectedStore ports; windows are checked and normalised here.
import { Injectable } from '@nestjs/common';
import { AppError, validationError } from '../shared/errors/app-error';
import { Attempt, EventIndex, EventRecord } from '../shared/events/event-index';
import { RawStore } from '../shared/raw/raw-store';
import { RejectedRecord, RejectedStore } from '../shared/rejected/rejected-store';
import { LateQueryDto, ListEventsQueryDto, PageQueryDto, RejectedQueryDto } from './query.dto';
import { invalidCursor, PageCursors, queryClock } from '../shared/paging/page-cursor';
import {
  AttemptView,
  EventView,
  eventView,
  mapPage,
  nul,
  PageView,
  RejectedView,
  rejectedView,
} from './query-views';
import { MAX_SOURCE_WINDOW_DAYS, parseWindow, sourceWindow } from './query-window';

const OPEN_WINDOW = { from: '0000-01-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' };
const EVENT_ID = /^[0-9a-f]{32}$/;
const REJECTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@Injectable()
export class QueryService {
  constructor(
    private readonly index: EventIndex,
    private readonly raw: RawStore,
    private readonly rejectedRows: RejectedStore,
    private readonly cursors: PageCursors,
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
  ): Promise<
    {
      event_id: string;
      source: string;
      idempotency_key: string | null;
      duplicate_count: number;
      conflict_count: number;
    } & PageView<AttemptView>
  > {
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
      attempt_id: a.attempt_id,
      received_at: a.received_at,
      payload_sha256: a.payload_sha256,
      request_id: a.request_id,
      key_id: nul(a.key_id),
      same_payload_as_first: a.payload_sha256 === event.payload_sha256,
      s3_key: nul(a.s3_key),
    });
    const scope = { attempts: eventId };
    const wrap = (inner: string | null) => (inner === null ? null : this.cursors.seal(scope, { a: inner }));
    // The first submission leads the first page; later pages continue the kept attempts.
    if (q.cursor !== undefined) {
      const { a } = this.cursors.open(scope, q.cursor);
      if (typeof a !== 'string') throw invalidCursor();
      const page = await this.index.attempts(eventId, { limit: q.limit, cursor: a || undefined });
      return {
        ...head,
        items: page.items.map(view),
        next_cursor: wrap(page.next_cursor),
        stopped_early: page.stopped_early ?? false,
      };
    }
    const first: AttemptView = {
      kind: 'first',
      attempt_id: null,
      received_at: event.received_at,
      payload_sha256: event.payload_sha256,
      request_id: event.request_id,
      key_id: nul(event.key_id),
      same_payload_as_first: true,
      s3_key: event.s3_key,
    };
    if (q.limit === 1) {
      const more = head.duplicate_count + head.conflict_count > 0;
      return { ...head, items: [first], next_cursor: more ? wrap('') : null, stopped_early: false };
    }
    const page = await this.index.attempts(eventId, { limit: q.limit - 1 });
    return {
      ...head,
      items: [first, ...page.items.map(view)],
      next_cursor: wrap(page.next_cursor),
      stopped_early: page.stopped_early ?? false,
    };
  }

  async events(q: ListEventsQueryDto): Promise<PageView<EventView>> {
    const hasEntity = q.entity_id !== undefined;
    const hasSource = q.source !== undefined;
    if (hasEntity === hasSource) {
      const message = hasEntity ? 'give entity_id or source, not both' : 'give entity_id or source';
      throw validationError('QUERY.VALIDATION_FAILED', [
        { field: 'entity_id', message },
        { field: 'source', message },
      ]);
    }
    const clock = queryClock(q.cursor);
    const page = { limit: q.limit, cursor: q.cursor, clock };
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
    const window = sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS, clock);
    return mapPage(await this.index.eventsOfSource(q.source!, q.type, window, page), eventView);
  }

  async late(q: LateQueryDto): Promise<PageView<EventView>> {
    const clock = queryClock(q.cursor);
    const window = sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS, clock);
    return mapPage(
      await this.index.lateEvents(
        q.source,
        window,
        { limit: q.limit, cursor: q.cursor, clock },
        q.min_lag_ms,
      ),
      eventView,
    );
  }

  async rejected(q: RejectedQueryDto): Promise<PageView<RejectedView>> {
    const clock = queryClock(q.cursor);
    const window = sourceWindow(q.from, q.to, MAX_SOURCE_WINDOW_DAYS, clock);
    const page = await this.rejectedRows.list(q.source, window, { limit: q.limit, cursor: q.cursor, clock });
    // A listing stays small whatever was refused: large bodies are listed by their pointer (s3_key).
    return mapPage(page, (r) => rejectedView(r, r.raw));
  }

  /** One rejected submission with its whole body and every error, read from its rejected/ object. */
  async rejectedOne(rejectionId: string): Promise<RejectedView> {
    const row = REJECTION_ID.test(rejectionId) ? await this.rejectedRows.get(rejectionId) : undefined;
    if (!row) throw new AppError('QUERY.REJECTED_NOT_FOUND', `rejected submission ${rejectionId} not found`);
    const kept = JSON.parse((await this.raw.get(row.s3_key)).toString('utf8')) as Partial<RejectedRecord>;
    const errors = Array.isArray(kept.errors) ? kept.errors : row.errors;
    return rejectedView({ ...row, errors }, typeof kept.raw === 'string' ? kept.raw : row.raw);
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
}
