// One page of reconcile work at a time, on either side. Raw side: every event in a page of raw objects
// is looked up in the index; one with no index item is `unindexed` (repair indexes it through ingest),
// one the index points elsewhere for is `unreferenced`. Index side: every index item of a page is read
// back from its raw object; a missing one is `missing_raw`, one that no longer matches `corrupt_raw`.
// Idempotent: a page done twice (after a crash) finds and writes the same things.
import { AUTH_OFF, Caller } from '../shared/auth/caller';
import { IngestService } from '../ingest/ingest.service';
import type { Prepared } from '../ingest/ingest-model';
import { matchesKey, parseRawKey, RawKeyParts } from '../ingest/raw-keys';
import { batchMembers, integrityProblems, StoredMember } from '../ingest/stored-events';
import { mapLimit } from '../shared/async/map-limit';
import { StorageNotFoundError } from '../shared/errors/app-error';
import { EventIndex, EventRecord } from '../shared/events/event-index';
import { RawObjectInfo, RawStore } from '../shared/raw/raw-store';
import { Retention } from '../shared/retention/retention';
import { Finding, ReconcileCounts } from './reconcile-job-store';
import { hourWindow, inScope } from './reconcile-plan';

/** The writer recovered events are indexed under (`key_id` `reconcile`). */
const RECONCILE_CALLER: Caller = { ...AUTH_OFF, id: 'reconcile' };

/** Objects per raw page: batch objects can be megabytes each, single events are small. */
const PAGE = { batch: 25, single: 500, index: 200 } as const;
const READ_CONCURRENCY = 8;

export interface JobContext {
  reconcileId: string;
  repair: boolean;
  prefix?: string;
  /** Epoch ms the page started. */
  now: number;
  /** Objects stored less than this long before `now` may still be waiting for their index claim. */
  settleMs: number;
}

export interface PageResult {
  findings: Finding[];
  counts: Partial<ReconcileCounts>;
  /** Where the next page starts; absent when the folder or source is done. */
  next?: string;
}

/** One event found in a raw object: its key, where in the object, and when S3 stored it. */
interface RawEvent {
  object: RawObjectInfo;
  parts: RawKeyParts;
  member?: StoredMember;
  eventId: string;
  /** Known for batch members (their bytes were read to find the id); read later for singles. */
  prepared?: Prepared;
}

const CHANGED = 'the bytes changed after ingest stored them (the hash in the key differs)';

/** The request id a recovered event carries: which job indexed it. */
export const recoveryRequestId = (reconcileId: string): string => `reconcile:${reconcileId}`;

const subjectOf = (key: string, range?: [number, number]): string => (range ? `${key}@${range[0]}` : key);
const sameRange = (a?: [number, number], b?: [number, number]): boolean =>
  a?.[0] === b?.[0] && a?.[1] === b?.[1];

export class ReconcileScanner {
  constructor(
    private readonly raw: RawStore,
    private readonly index: EventIndex,
    private readonly ingest: IngestService,
    private readonly retention: Retention,
  ) {}

  async rawPage(ctx: JobContext, listPrefix: string, after?: string): Promise<PageResult> {
    const batch = listPrefix.startsWith('raw/batches/');
    const page = await this.raw.listPage(listPrefix, after, batch ? PAGE.batch : PAGE.single);
    const result: Required<Omit<PageResult, 'next'>> & PageResult = {
      findings: [],
      counts: {},
      next: page.next_after,
    };
    const add = (k: keyof ReconcileCounts, n = 1) => (result.counts[k] = (result.counts[k] ?? 0) + n);
    const found = (f: Omit<Finding, 'found_at'>) => {
      result.findings.push({ ...f, found_at: new Date(ctx.now).toISOString() });
      add(f.kind);
    };
    const settled = page.objects.filter((o) => Date.parse(o.last_modified) <= ctx.now - ctx.settleMs);
    add('objects', settled.length);
    add('in_flight', page.objects.length - settled.length);
    const events = (
      await mapLimit(settled, READ_CONCURRENCY, (object) => this.eventsOf(object, found))
    ).flat();
    add('members', events.length);
    const indexed = await this.index.getEvents(events.map((e) => e.eventId));
    await mapLimit(events, READ_CONCURRENCY, async (e) => {
      const item = indexed.get(e.eventId);
      const key = e.object.key;
      if (item && item.s3_key === key && sameRange(item.s3_range, e.member?.range)) {
        // Indexed here by this very job before a crash made it redo the page: count it again.
        if (item.recovered_at && item.request_id === recoveryRequestId(ctx.reconcileId)) {
          found({ ...this.unindexed(e, item), recovered_at: item.recovered_at });
          add('recovered');
        }
        return;
      }
      const p = e.prepared ?? (await this.identifySingle(e, found));
      if (!p) return;
      if (item) return found(this.unreferenced(e, p, item));
      if (this.retention.expired('events', e.object.last_modified, ctx.now)) return add('past_retention');
      if (!ctx.repair) return found(this.unindexed(e, undefined, p));
      const recoveredAt = new Date(ctx.now).toISOString();
      const outcome = await this.ingest.recover(
        p,
        { s3Key: key, range: e.member?.range },
        // The producer's key is not in the raw bytes: a recovered event names the reconcile as its writer.
        {
          requestId: recoveryRequestId(ctx.reconcileId),
          receivedAt: Date.parse(e.object.last_modified),
          caller: RECONCILE_CALLER,
        },
        recoveredAt,
      );
      if (outcome.recovered) {
        found({ ...this.unindexed(e, outcome.record), recovered_at: recoveredAt });
        add('recovered');
      } else if (outcome.existing.s3_key !== key || !sameRange(outcome.existing.s3_range, e.member?.range)) {
        // A producer's retry indexed it elsewhere meanwhile.
        found(this.unreferenced(e, p, outcome.existing));
      }
    });
    return result;
  }

  async indexPage(ctx: JobContext, source: string, hour: string, cursor?: string): Promise<PageResult> {
    const page = await this.index.eventsOfSource(source, undefined, hourWindow(hour), {
      limit: PAGE.index,
      cursor,
    });
    const items = page.items.filter((i) => inScope(i.s3_key, ctx.prefix));
    const result: PageResult = { findings: [], counts: { index_items: items.length } };
    if (page.next_cursor) result.next = page.next_cursor;
    const byKey = new Map<string, EventRecord[]>();
    for (const item of items) byKey.set(item.s3_key, [...(byKey.get(item.s3_key) ?? []), item]);
    await mapLimit([...byKey], READ_CONCURRENCY, async ([key, group]) => {
      const body = await this.read(key);
      for (const item of group) {
        const problems = body ? integrityProblems(item, slice(body, item.s3_range)) : [];
        if (body && problems.length === 0) continue;
        const kind = body ? 'corrupt_raw' : 'missing_raw';
        result.counts[kind] = (result.counts[kind] ?? 0) + 1;
        result.findings.push({
          kind,
          subject: item.event_id,
          s3_key: key,
          ...(item.s3_range ? { s3_range: item.s3_range } : {}),
          ...eventFields(item),
          ...(problems.length ? { detail: problems.join('; ') } : {}),
          found_at: new Date(ctx.now).toISOString(),
        });
      }
    });
    return result;
  }

  /** The events of one raw object; an object or member that is not an event is reported unreadable. */
  private async eventsOf(
    object: RawObjectInfo,
    found: (f: Omit<Finding, 'found_at'>) => void,
  ): Promise<RawEvent[]> {
    const parts = parseRawKey(object.key);
    const unreadable = (detail: string, range?: [number, number]) =>
      found({
        kind: 'unreadable',
        subject: subjectOf(object.key, range),
        s3_key: object.key,
        ...(range ? { s3_range: range } : {}),
        detail,
      });
    if (!parts) {
      unreadable('not a key ingest writes');
      return [];
    }
    if (parts.kind === 'single') return [{ object, parts, eventId: parts.eventId }];
    const body = await this.read(object.key);
    if (!body) return [];
    // Changed after ingest stored it: nothing in it may be trusted, least of all indexed by a repair.
    if (!matchesKey(parts, body)) {
      unreadable(CHANGED);
      return [];
    }
    let members: StoredMember[];
    try {
      members = batchMembers(body);
    } catch (err) {
      unreadable(`not a batch object: ${(err as Error).message}`);
      return [];
    }
    return members.flatMap((member) => {
      const id = this.ingest.identify(member.bytes, Date.parse(object.last_modified));
      if (!id.ok) {
        unreadable(id.reason, member.range);
        return [];
      }
      return [{ object, parts, member, eventId: id.prepared.eventId, prepared: id.prepared }];
    });
  }

  /** Reads a single-event object and checks that it holds the event its key names. */
  private async identifySingle(
    e: RawEvent,
    found: (f: Omit<Finding, 'found_at'>) => void,
  ): Promise<Prepared | undefined> {
    const bytes = await this.read(e.object.key);
    if (!bytes) return undefined;
    const id = this.ingest.identify(bytes, Date.parse(e.object.last_modified));
    const detail = !matchesKey(e.parts, bytes)
      ? CHANGED
      : !id.ok
        ? id.reason
        : id.prepared.eventId !== e.eventId
          ? 'the bytes are not the event the key names'
          : undefined;
    if (!detail && id.ok) return id.prepared;
    found({ kind: 'unreadable', subject: e.object.key, s3_key: e.object.key, event_id: e.eventId, detail });
    return undefined;
  }

  private unindexed(e: RawEvent, record?: EventRecord, p?: Prepared): Omit<Finding, 'found_at'> {
    const fields = record
      ? eventFields(record)
      : {
          event_id: p!.eventId,
          source: p!.event.source,
          type: p!.event.type,
          occurred_at: p!.occurredAt,
          received_at: e.object.last_modified,
        };
    return {
      kind: 'unindexed',
      subject: subjectOf(e.object.key, e.member?.range),
      s3_key: e.object.key,
      ...(e.member?.range ? { s3_range: e.member.range } : {}),
      ...fields,
    };
  }

  private unreferenced(e: RawEvent, p: Prepared, item: EventRecord): Omit<Finding, 'found_at'> {
    return {
      kind: 'unreferenced',
      subject: subjectOf(e.object.key, e.member?.range),
      s3_key: e.object.key,
      ...(e.member?.range ? { s3_range: e.member.range } : {}),
      event_id: item.event_id,
      source: p.event.source,
      type: p.event.type,
      occurred_at: p.occurredAt,
      received_at: e.object.last_modified,
      // Same payload: a retry sent again (reformatted, or in another batch). Another payload: a conflict.
      detail: p.payloadSha256 === item.payload_sha256 ? 'duplicate' : 'conflict',
      indexed_s3_key: item.s3_key,
    };
  }

  /** The whole object, or undefined when it is gone. */
  private async read(key: string): Promise<Buffer | undefined> {
    try {
      return await this.raw.get(key);
    } catch (err) {
      if (err instanceof StorageNotFoundError) return undefined;
      throw err;
    }
  }
}

const slice = (body: Buffer, range?: [number, number]): Buffer =>
  range ? body.subarray(range[0], range[1] + 1) : body;

function eventFields(
  e: EventRecord,
): Pick<Finding, 'event_id' | 'source' | 'type' | 'occurred_at' | 'received_at'> {
  return {
    event_id: e.event_id,
    source: e.source,
    type: e.type,
    occurred_at: e.occurred_at,
    received_at: e.received_at,
  };
}
