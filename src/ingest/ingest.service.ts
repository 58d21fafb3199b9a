// The write path: validate, identify, store raw bytes first, then claim the index item; duplicates
// and conflicts are counted against the stored event; rejects are kept under rejected/. Nothing is
// answered 2xx unless both the raw object and the index item are durable.
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mapLimit } from '../shared/aws/dynamo-event-index';
import { CounterDelta, emptyCounterDelta, EventIndex, EventRecord } from '../shared/aws/event-index';
import { RawStore } from '../shared/aws/raw-store';
import { dayOf, hourOf } from '../shared/aws/table-keys';
import { Env } from '../shared/config/env.config';
import { AppError, FieldProblem, StorageUnavailableError, validationError } from '../shared/errors/app-error';
import { InvalidJsonBody } from '../shared/http/json-body';
import { eventId, normaliseTime, payloadSha256 } from '../shared/identity/event-identity';
import { bucketIndex } from '../shared/metrics/lag-histogram';
import { IngestOutcome, MetricsService } from '../shared/metrics/metrics.service';
import { CounterBuffer } from './counter-buffer';
import { validateIngestEvent, ValidEvent } from './ingest.dto';
import { eventSpans } from './json-spans';
import { batchRawKey, rejectedKey, singleRawKey } from './raw-keys';

/** An event this far ahead of the clock is accepted but flagged `future`. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
export const MAX_BATCH_EVENTS = 500;
/** Rejected bodies up to this size are also kept inline in the index, for one-call reads. */
const INLINE_REJECTED_BYTES = 8 * 1024;
const CLAIM_CONCURRENCY = 32;

export interface RequestContext {
  requestId: string;
  /** Epoch ms the request arrived. */
  receivedAt: number;
}

export interface AcceptedResult {
  event_id: string;
  status: 'accepted';
  received_at: string;
  s3_key: string;
  lag_ms: number;
  late: boolean;
  future: boolean;
}

export interface DuplicateResult {
  event_id: string;
  status: 'duplicate';
  received_at: string;
  first_received_at: string;
  duplicate_count: number;
}

export type IngestResult = AcceptedResult | DuplicateResult;

export interface BatchItemResult {
  index: number;
  event_id?: string;
  status: IngestOutcome;
  error?: { code: string; message: string; details?: unknown };
}

export interface BatchResult {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  failed: number;
  results: BatchItemResult[];
}

/** A valid event with everything derived from it. */
interface Prepared {
  index: number;
  event: ValidEvent;
  bytes: Buffer;
  eventId: string;
  payloadSha256: string;
  occurredAt: string;
  lagMs: number;
  late: boolean;
  future: boolean;
}

type Settled =
  | { outcome: 'accepted'; record: EventRecord }
  | { outcome: 'duplicate'; record: EventRecord }
  | { outcome: 'conflict'; stored: EventRecord; rejectedKey?: string }
  | { outcome: 'failed'; error: AppError };

/** Reads a string field of something that failed validation, if it is usable as a counter label. */
function labelOf(value: unknown, field: 'source' | 'type'): string {
  const v = (value as Record<string, unknown> | null)?.[field];
  const ok = field === 'source' ? /^[a-z0-9][a-z0-9._-]{0,63}$/ : /^\S{1,128}$/;
  return typeof v === 'string' && ok.test(v) ? v : '~';
}

@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);
  private readonly counters: CounterBuffer;

  constructor(
    private readonly raw: RawStore,
    private readonly index: EventIndex,
    private readonly metrics: MetricsService,
    private readonly env: Env,
  ) {
    this.counters = new CounterBuffer(index);
  }

  async ingestOne(body: unknown, bytes: Buffer, ctx: RequestContext): Promise<IngestResult> {
    const receivedAt = new Date(ctx.receivedAt).toISOString();
    if (body instanceof InvalidJsonBody) {
      await this.reject(ctx, bytes, undefined, [{ field: '(body)', message: body.reason }]);
      throw new AppError('REQUEST.INVALID_JSON', `Body is not valid JSON: ${body.reason}`);
    }
    const checked = validateIngestEvent(body);
    if (!checked.ok) {
      await this.reject(ctx, bytes, body, checked.problems);
      throw validationError('INGEST.VALIDATION_FAILED', checked.problems);
    }
    const p = this.prepare(0, checked.event, bytes, ctx.receivedAt);
    const s3Key = singleRawKey(p.event.source, p.occurredAt, p.eventId, bytes);
    try {
      await this.raw.putIfAbsent(s3Key, bytes, 'application/json');
    } catch (err) {
      throw this.storageFailure(err, 'PutObject');
    }
    const settled = await this.settle(p, ctx, s3Key);
    await this.count([{ p, settled }], [], ctx);
    switch (settled.outcome) {
      case 'accepted':
        return {
          event_id: p.eventId,
          status: 'accepted',
          received_at: receivedAt,
          s3_key: s3Key,
          lag_ms: p.lagMs,
          late: p.late,
          future: p.future,
        };
      case 'duplicate':
        return {
          event_id: p.eventId,
          status: 'duplicate',
          received_at: receivedAt,
          first_received_at: settled.record.received_at,
          duplicate_count: settled.record.duplicate_count,
        };
      case 'conflict':
        throw this.conflictError(p, settled.stored);
      case 'failed':
        throw settled.error;
    }
  }

  async ingestBatch(body: unknown, bytes: Buffer, ctx: RequestContext): Promise<BatchResult> {
    if (body instanceof InvalidJsonBody) {
      await this.reject(ctx, bytes, undefined, [{ field: '(body)', message: body.reason }]);
      throw new AppError('REQUEST.INVALID_JSON', `Body is not valid JSON: ${body.reason}`);
    }
    const events = this.batchEvents(body);
    const spans = eventSpans(bytes) ?? [];
    const results: BatchItemResult[] = new Array<BatchItemResult>(events.length);
    const prepared: Prepared[] = [];
    const rejected: { value: unknown; bytes: Buffer; problems: FieldProblem[] }[] = [];
    events.forEach((value, i) => {
      const itemBytes = spans[i]
        ? bytes.subarray(spans[i][0], spans[i][1])
        : Buffer.from(JSON.stringify(value));
      const checked: ReturnType<typeof validateIngestEvent> =
        itemBytes.length > this.env.INGEST_MAX_EVENT_BYTES
          ? {
              ok: false,
              problems: [
                {
                  field: `events[${i}]`,
                  message: `the event is ${itemBytes.length} bytes; at most ${this.env.INGEST_MAX_EVENT_BYTES} are allowed`,
                },
              ],
            }
          : validateIngestEvent(value);
      if (checked.ok) {
        prepared.push(this.prepare(i, checked.event, itemBytes, ctx.receivedAt));
      } else {
        rejected.push({ value, bytes: itemBytes, problems: checked.problems });
        results[i] = {
          index: i,
          status: 'rejected',
          error: { code: 'INGEST.VALIDATION_FAILED', message: 'Invalid event', details: checked.problems },
        };
      }
    });
    const rejectWrites = rejected.map(({ value, bytes: itemBytes, problems }) =>
      this.reject(ctx, itemBytes, value, problems, { skipCounters: true }),
    );

    // The first occurrence of an id in the batch is stored; later ones settle against it afterwards.
    const firsts = new Map<string, Prepared>();
    const repeats: Prepared[] = [];
    for (const p of prepared) {
      if (firsts.has(p.eventId)) repeats.push(p);
      else firsts.set(p.eventId, p);
    }
    const unique = [...firsts.values()];
    const settledByIndex = new Map<number, Settled>();
    const object = this.ndjson(unique);
    const s3Key = batchRawKey(new Date(ctx.receivedAt).toISOString(), object.body);
    let stored = unique.length === 0;
    if (unique.length > 0) {
      try {
        await this.raw.putIfAbsent(s3Key, object.body, 'application/x-ndjson');
        stored = true;
      } catch (err) {
        const error = this.storageFailure(err, 'PutObject');
        for (const p of prepared) settledByIndex.set(p.index, { outcome: 'failed', error });
      }
    }
    if (stored) {
      await mapLimit(unique, CLAIM_CONCURRENCY, async (p) => {
        settledByIndex.set(p.index, await this.settle(p, ctx, s3Key, object.ranges.get(p.index)));
      });
      for (const p of repeats) {
        const first = settledByIndex.get(firsts.get(p.eventId)!.index)!;
        settledByIndex.set(
          p.index,
          first.outcome === 'failed' ? first : await this.settle(p, ctx, s3Key, undefined),
        );
      }
    }
    await Promise.all(rejectWrites);

    const outcomes = prepared.map((p) => ({ p, settled: settledByIndex.get(p.index)! }));
    await this.count(outcomes, rejected, ctx);
    for (const { p, settled } of outcomes) results[p.index] = this.itemResult(p, settled);
    const tally = (status: IngestOutcome) => results.filter((r) => r.status === status).length;
    return {
      accepted: tally('accepted'),
      duplicates: tally('duplicate'),
      conflicts: tally('conflict'),
      rejected: tally('rejected'),
      failed: tally('failed'),
      results,
    };
  }

  private batchEvents(body: unknown): unknown[] {
    const problems: FieldProblem[] = [];
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      problems.push({ field: '(body)', message: 'the body must be an object {"events": [...]}' });
    } else {
      const { events, ...rest } = body as { events?: unknown };
      for (const key of Object.keys(rest)) problems.push({ field: key, message: `unknown field ${key}` });
      if (!Array.isArray(events)) problems.push({ field: 'events', message: 'events must be an array' });
      else if (events.length < 1 || events.length > MAX_BATCH_EVENTS) {
        problems.push({ field: 'events', message: `events must hold 1 to ${MAX_BATCH_EVENTS} events` });
      } else if (problems.length === 0) return events;
    }
    throw validationError('INGEST.VALIDATION_FAILED', problems);
  }

  /** One NDJSON object: each item's bytes as received, one per line, with its inclusive byte range. */
  private ndjson(items: Prepared[]): { body: Buffer; ranges: Map<number, [number, number]> } {
    const ranges = new Map<number, [number, number]>();
    const parts: Buffer[] = [];
    let offset = 0;
    const newline = Buffer.from('\n');
    for (const p of items) {
      ranges.set(p.index, [offset, offset + p.bytes.length - 1]);
      parts.push(p.bytes, newline);
      offset += p.bytes.length + 1;
    }
    return { body: Buffer.concat(parts), ranges };
  }

  private prepare(index: number, event: ValidEvent, bytes: Buffer, receivedAtMs: number): Prepared {
    const occurredAt = normaliseTime(event.occurred_at);
    const lagMs = receivedAtMs - Date.parse(occurredAt);
    return {
      index,
      event,
      bytes,
      eventId: eventId(event),
      payloadSha256: payloadSha256(event.payload),
      occurredAt,
      lagMs,
      late: lagMs > this.env.lateThresholdMs(event.source),
      future: -lagMs > FUTURE_TOLERANCE_MS,
    };
  }

  /** Claims the index item; on a repeat, decides duplicate or conflict and records the attempt. */
  private async settle(
    p: Prepared,
    ctx: RequestContext,
    s3Key: string,
    range?: [number, number],
  ): Promise<Settled> {
    const receivedAt = new Date(ctx.receivedAt).toISOString();
    const record: EventRecord = {
      event_id: p.eventId,
      source: p.event.source,
      type: p.event.type,
      entity_id: p.event.entity_id,
      occurred_at: p.occurredAt,
      received_at: receivedAt,
      lag_ms: p.lagMs,
      late: p.late,
      future: p.future,
      sequence: p.event.sequence,
      idempotency_key: p.event.idempotency_key,
      schema_version: p.event.schema_version,
      payload_sha256: p.payloadSha256,
      size_bytes: p.bytes.length,
      s3_key: s3Key,
      s3_range: range,
      request_id: ctx.requestId,
      duplicate_count: 0,
      conflict_count: 0,
    };
    try {
      const claim = await this.index.claim(record);
      if (claim.claimed) return { outcome: 'accepted', record };
      const stored = claim.existing;
      const attempt = {
        event_id: p.eventId,
        source: p.event.source,
        received_at: receivedAt,
        payload_sha256: p.payloadSha256,
        request_id: ctx.requestId,
      };
      if (stored.payload_sha256 === p.payloadSha256) {
        const repeat = await this.index.recordRepeat({ ...attempt, kind: 'duplicate' });
        return { outcome: 'duplicate', record: repeat.event };
      }
      const rejectedKey = await this.reject(
        ctx,
        p.bytes,
        p.event,
        [{ field: 'idempotency_key', message: 'reused with a different payload' }],
        { reason: 'conflict', eventId: p.eventId, skipCounters: true },
      );
      await this.index.recordRepeat({ ...attempt, kind: 'conflict', s3_key: rejectedKey });
      return { outcome: 'conflict', stored, rejectedKey };
    } catch (err) {
      return { outcome: 'failed', error: this.storageFailure(err, 'index') };
    }
  }

  private conflictError(p: Prepared, stored: EventRecord): AppError {
    return new AppError(
      'INGEST.IDEMPOTENCY_CONFLICT',
      `idempotency_key ${JSON.stringify(p.event.idempotency_key)} of source ${p.event.source} was already used ` +
        'with a different payload; the conflicting submission is kept under rejected/',
      {
        event_id: p.eventId,
        stored_payload_sha256: stored.payload_sha256,
        received_payload_sha256: p.payloadSha256,
      },
    );
  }

  private itemResult(p: Prepared, settled: Settled): BatchItemResult {
    switch (settled.outcome) {
      case 'accepted':
      case 'duplicate':
        return { index: p.index, event_id: p.eventId, status: settled.outcome };
      case 'conflict': {
        const err = this.conflictError(p, settled.stored);
        return {
          index: p.index,
          event_id: p.eventId,
          status: 'conflict',
          error: { code: err.code, message: err.message, details: err.details },
        };
      }
      case 'failed':
        return {
          index: p.index,
          event_id: p.eventId,
          status: 'failed',
          error: { code: settled.error.code, message: settled.error.message },
        };
    }
  }

  /**
   * Keeps a refused submission under rejected/ and in the index. Best effort: the caller answers 4xx
   * either way, and a storage failure here is logged and counted, never turned into a 5xx.
   * Returns the S3 key when the body was stored.
   */
  private async reject(
    ctx: RequestContext,
    bytes: Buffer,
    value: unknown,
    problems: FieldProblem[],
    options: { reason?: 'validation' | 'conflict'; eventId?: string; skipCounters?: boolean } = {},
  ): Promise<string | undefined> {
    const receivedAt = new Date(ctx.receivedAt).toISOString();
    const rejectionId = randomUUID();
    const key = rejectedKey(receivedAt, rejectionId);
    const source = labelOf(value, 'source');
    const text = bytes.toString('utf8');
    const record = {
      rejection_id: rejectionId,
      ...(source !== '~' ? { source } : {}),
      received_at: receivedAt,
      request_id: ctx.requestId,
      reason: options.reason ?? 'validation',
      errors: problems,
      s3_key: key,
      size_bytes: bytes.length,
      ...(options.eventId ? { event_id: options.eventId } : {}),
    } as const;
    try {
      await this.raw.put(key, Buffer.from(JSON.stringify({ ...record, raw: text })), 'application/json');
      await this.index.putRejected({
        ...record,
        ...(bytes.length <= INLINE_REJECTED_BYTES ? { raw: text } : {}),
      });
    } catch (err) {
      this.storageFailure(err, 'rejected');
      this.logger.error(
        { err, request_id: ctx.requestId, op: 'reject' },
        'could not keep a rejected submission',
      );
      return undefined;
    }
    if (!options.skipCounters) {
      await this.count([], [{ value }], ctx);
    }
    return key;
  }

  /** Counter rows and activity minutes for a request's outcomes, written once per row. */
  private async count(
    outcomes: { p: Prepared; settled: Settled }[],
    rejected: { value: unknown }[],
    ctx: RequestContext,
  ): Promise<void> {
    const receivedAt = new Date(ctx.receivedAt).toISOString();
    const hour = hourOf(receivedAt);
    const rows = new Map<string, CounterDelta>();
    const row = (source: string, type: string): CounterDelta => {
      const key = `${source}|${type}`;
      let d = rows.get(key);
      if (!d) {
        d = emptyCounterDelta(source, type, hour);
        rows.set(key, d);
      }
      return d;
    };
    for (const { p, settled } of outcomes) {
      const { source, type } = p.event;
      if (settled.outcome === 'failed') {
        this.metrics.ingest(source, type, 'failed');
        continue;
      }
      const d = row(source, type);
      d.received += 1;
      this.metrics.ingest(source, type, settled.outcome);
      if (settled.outcome === 'accepted') {
        d.accepted += 1;
        d.bytes += p.bytes.length;
        d.late += p.late ? 1 : 0;
        d.future += p.future ? 1 : 0;
        const lag = Math.max(0, p.lagMs);
        d.lag_buckets[bucketIndex(lag)] += 1;
        d.lag_sum_ms += lag;
        d.lag_max_ms = Math.max(d.lag_max_ms, lag);
        this.metrics.ingestLag(source, type, p.lagMs);
      } else if (settled.outcome === 'duplicate') d.duplicates += 1;
      else d.conflicts += 1;
    }
    for (const { value } of rejected) {
      const d = row(labelOf(value, 'source'), labelOf(value, 'type'));
      d.received += 1;
      d.rejected += 1;
      this.metrics.ingest(d.source, d.type, 'rejected');
    }
    const activeSources = [...new Set([...rows.values()].map((d) => d.source))].filter((s) => s !== '~');
    const minute = new Date(ctx.receivedAt).getUTCHours() * 60 + new Date(ctx.receivedAt).getUTCMinutes();
    try {
      await this.counters.add(
        [...rows.values()],
        activeSources.map((source) => ({ source, day: dayOf(receivedAt), minutes: [minute] })),
      );
    } catch (err) {
      // The events themselves are durable; a lost counter update must not turn into a retry storm.
      this.metrics.counterWriteFailures.inc();
      this.logger.error({ err, request_id: ctx.requestId, op: 'count' }, 'stats counter update failed');
    }
  }

  /** Counts a storage failure and returns it as the app error to answer with. */
  private storageFailure(err: unknown, operation: string): AppError {
    if (err instanceof StorageUnavailableError) {
      this.metrics.storageError(err.dependency, err.operation);
      return err;
    }
    if (err instanceof AppError) return err;
    this.logger.error({ err, op: operation }, 'unexpected storage error');
    this.metrics.storageError('unknown', operation);
    return new StorageUnavailableError('dynamodb', operation, err);
  }
}
