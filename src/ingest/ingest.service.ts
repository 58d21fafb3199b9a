// The write path, orchestration only: check the caller may write the events' sources, validate,
// identify (ingest-model.ts), check payloads against their registered schema (PayloadSchemas), store
// raw bytes first, then claim the index item; duplicates and conflicts are counted against the stored
// event, and raw bytes nobody points at are removed (raw-cleanup.ts); refused bodies are kept by the
// RejectedWriter; counters and metrics by IngestAccounting. Nothing is answered 2xx unless both the
// raw object and the index item are durable.
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { RateLimits } from '../shared/auth/rate-limits';
import { mapLimit } from '../shared/async/map-limit';
import { Env } from '../shared/config/env.config';
import { AppError, FieldProblem, validationError } from '../shared/errors/app-error';
import { EventIndex, EventRecord } from '../shared/events/event-index';
import { InvalidJsonBody } from '../shared/http/json-body';
import { IngestStatsStore } from '../shared/ingest-stats/ingest-stats-store';
import { IngestMetrics } from './ingest.metrics';
import { RawStore } from '../shared/raw/raw-store';
import { RejectedStore } from '../shared/rejected/rejected-store';
import { PayloadSchemas } from '../schemas/payload-schemas';
import { IngestAccounting, Outcome } from './ingest-accounting';
import {
  batchProblems,
  batchResult,
  BatchItemResult,
  BatchResult,
  checkEvent,
  EventLimits,
  eventRecord,
  IngestResult,
  itemResult,
  ndjsonObject,
  Prepared,
  RefusedItem,
  refusedItemResult,
  RequestContext,
  schemaViolation,
  Settled,
  singleResult,
  splitRepeats,
} from './ingest-model';
import { BatchEnvelope, eventSpans } from './json-spans';
import { batchRawKey, singleRawKey } from './raw-keys';
import { RejectedWriter } from './rejected-writer';
import { EventSettler } from './event-settler';
import { singleObjectUnreferenced, storedEventOf } from './raw-cleanup';
import { RawSweeper } from './raw-sweeper';
import { Identified, identifyStored } from './stored-events';

const CLAIM_CONCURRENCY = 32;

/** The batch's envelope as written; text JSON.parse accepted always scans, this is only a safeguard. */
function spansOf(bytes: Buffer): BatchEnvelope {
  try {
    return eventSpans(bytes);
  } catch {
    return { keys: [] };
  }
}

@Injectable()
export class IngestService implements OnApplicationShutdown {
  private readonly logger = new Logger(IngestService.name);
  private readonly accounting: IngestAccounting;
  private readonly rejectedWriter: RejectedWriter;
  private readonly settler: EventSettler;
  private readonly sweeper: RawSweeper;
  private readonly limits: EventLimits;

  constructor(
    private readonly raw: RawStore,
    private readonly index: EventIndex,
    rejectedRows: RejectedStore,
    stats: IngestStatsStore,
    metrics: IngestMetrics,
    private readonly rateLimits: RateLimits,
    private readonly schemas: PayloadSchemas,
    env: Env,
  ) {
    this.accounting = new IngestAccounting(stats, metrics, env.COUNTER_FLUSH_MS);
    this.rejectedWriter = new RejectedWriter(raw, rejectedRows, this.accounting);
    this.settler = new EventSettler(index, this.rejectedWriter, this.accounting);
    this.sweeper = new RawSweeper(raw, index, this.accounting);
    this.limits = {
      maxEventBytes: env.INGEST_MAX_EVENT_BYTES,
      maxPayloadDepth: env.INGEST_MAX_PAYLOAD_DEPTH,
      lateThresholdMs: (source) => env.lateThresholdMs(source),
    };
  }

  /** Writes the counter rows still pending (after storage failures) before the process ends. */
  async onApplicationShutdown(): Promise<void> {
    await this.accounting.close();
  }

  async ingestOne(body: unknown, bytes: Buffer, ctx: RequestContext): Promise<IngestResult> {
    await this.refuseInvalidJson(body, bytes, ctx);
    this.admit([body], ctx);
    // The body limit already bounds a single event's size (413).
    const checked = checkEvent(0, body, bytes, { ...this.limits, maxEventBytes: Infinity }, ctx.receivedAt);
    if (!checked.ok) {
      await this.keepRefused(ctx, bytes, body, checked.problems);
      throw checked.code === 'INGEST.PAYLOAD_TOO_DEEP'
        ? new AppError(checked.code, `Invalid request: ${checked.problems[0].message}`, checked.problems)
        : validationError(checked.code, checked.problems);
    }
    const p = checked.prepared;
    const [violations] = await this.schemaViolations([p.event]);
    if (violations) {
      await this.keepRefused(ctx, bytes, body, violations, 'schema');
      throw validationError('INGEST.SCHEMA_VIOLATION', violations);
    }
    const s3Key = singleRawKey(p.event.source, p.occurredAt, p.eventId, bytes);
    try {
      await this.raw.putIfAbsent(s3Key, bytes, 'application/json');
    } catch (err) {
      throw this.accounting.storageFailure(err, 'PutObject');
    }
    const settled = await this.settler.settle(p, ctx, s3Key);
    if (singleObjectUnreferenced(settled, s3Key)) await this.sweeper.remove(s3Key, ctx);
    await this.countUnlessFailed([{ p, settled }], [], ctx);
    return singleResult(p, settled, ctx, s3Key);
  }

  async ingestBatch(body: unknown, bytes: Buffer, ctx: RequestContext): Promise<BatchResult> {
    await this.refuseInvalidJson(body, bytes, ctx);
    const envelope = spansOf(bytes);
    const shape = batchProblems(body, envelope.keys);
    if (shape.length > 0) {
      await this.keepRefused(ctx, bytes, undefined, shape);
      throw validationError('INGEST.VALIDATION_FAILED', shape);
    }
    const events = (body as { events: unknown[] }).events;
    this.admit(events, ctx);
    const spans = envelope.events ?? [];
    const results = new Array<BatchItemResult>(events.length);
    const prepared: Prepared[] = [];
    const refused: RefusedItem[] = [];
    const valid: Prepared[] = [];
    events.forEach((value, i) => {
      const itemBytes = spans[i]
        ? bytes.subarray(spans[i][0], spans[i][1])
        : Buffer.from(JSON.stringify(value));
      const checked = checkEvent(i, value, itemBytes, this.limits, ctx.receivedAt);
      if (checked.ok) {
        valid.push(checked.prepared);
      } else {
        refused.push({ value, bytes: itemBytes, problems: checked.problems });
        results[i] = refusedItemResult(i, checked);
      }
    });
    const violations = await this.schemaViolations(valid.map((v) => v.event));
    valid.forEach((v, n) => {
      const problems = violations[n];
      if (!problems) {
        prepared.push(v);
      } else {
        refused.push({ value: v.event, bytes: v.bytes, problems, reason: 'schema' });
        results[v.index] = schemaViolation(v.index, problems);
      }
    });
    const refusedWrites = refused.map((r) =>
      this.rejectedWriter.keep(ctx, r.bytes, r.value, r.problems, { reason: r.reason }),
    );
    const settledByIndex = await this.storeBatch(prepared, ctx);
    await Promise.all(refusedWrites);

    const outcomes: Outcome[] = prepared.map((p) => ({ p, settled: settledByIndex.get(p.index)! }));
    await this.countUnlessFailed(
      outcomes,
      refused.map((r) => r.value),
      ctx,
    );
    for (const { p, settled } of outcomes) results[p.index] = itemResult(p, settled, ctx.caller);
    return batchResult(results);
  }

  /**
   * Counts the outcomes. When a write failed the answer goes out at once and the counting finishes
   * behind it: the counters may be waiting on the very store that just failed, and the 503 must
   * come within STORAGE_TIMEOUT_MS. Counting never throws.
   */
  private async countUnlessFailed(
    outcomes: Outcome[],
    refused: unknown[],
    ctx: RequestContext,
  ): Promise<void> {
    const counted = this.accounting.count(outcomes, refused, ctx);
    if (!outcomes.some((o) => o.settled.outcome === 'failed')) await counted;
  }

  /** A stored event's identity as ingest computes it for bytes received at `receivedAtMs`. */
  identify(bytes: Buffer, receivedAtMs: number): Identified {
    return identifyStored(bytes, receivedAtMs, this.limits.lateThresholdMs);
  }

  /**
   * Indexes an event whose raw object ingest stored but never indexed, exactly as ingest would have
   * (same record, counters of its received hour), marked `recovered_at`. `existing` when the event
   * was indexed meanwhile (a producer retry won the race): nothing is then written or counted.
   */
  async recover(
    p: Prepared,
    stored: { s3Key: string; range?: [number, number] },
    ctx: RequestContext,
    recoveredAt: string,
  ): Promise<{ recovered: true; record: EventRecord } | { recovered: false; existing: EventRecord }> {
    const record = { ...eventRecord(p, ctx, stored.s3Key, stored.range), recovered_at: recoveredAt };
    const claim = await this.index.claim(record);
    if (!claim.claimed) return { recovered: false, existing: claim.existing };
    await this.accounting.countRecovered([{ p, settled: { outcome: 'accepted', record } }], ctx);
    return { recovered: true, record };
  }

  /**
   * Stores a batch's valid events: idempotency-keyed events already indexed settle at once (so a
   * conflict's bytes never reach raw/), the rest go into one NDJSON object and claim their items.
   */
  private async storeBatch(prepared: Prepared[], ctx: RequestContext): Promise<Map<number, Settled>> {
    const settledByIndex = new Map<number, Settled>();
    const failAll = (err: unknown, operation: string) => {
      const error = this.accounting.storageFailure(err, operation);
      for (const p of prepared) settledByIndex.set(p.index, { outcome: 'failed', error });
      return settledByIndex;
    };
    const { firsts, repeats } = splitRepeats(prepared);
    const unique = [...firsts.values()];
    let known: Map<string, EventRecord>;
    try {
      known = await this.index.getEvents(
        unique.filter((p) => p.event.idempotency_key !== undefined).map((p) => p.eventId),
      );
    } catch (err) {
      return failAll(err, 'index');
    }
    const fresh = unique.filter((p) => !known.has(p.eventId));
    const object = ndjsonObject(fresh);
    const s3Key = batchRawKey(new Date(ctx.receivedAt).toISOString(), object.body);
    if (fresh.length > 0) {
      try {
        await this.raw.putIfAbsent(s3Key, object.body, 'application/x-ndjson');
      } catch (err) {
        return failAll(err, 'PutObject');
      }
    }
    await mapLimit(unique, CLAIM_CONCURRENCY, async (p) => {
      const stored = known.get(p.eventId);
      settledByIndex.set(
        p.index,
        stored
          ? await this.settler.settleRepeat(p, ctx, stored)
          : await this.settler.settle(p, ctx, s3Key, object.ranges.get(p.index)),
      );
    });
    // A repeat inside the batch settles against what its first occurrence found or stored.
    for (const p of repeats) {
      const first = settledByIndex.get(firsts.get(p.eventId)!.index)!;
      const stored = storedEventOf(first);
      settledByIndex.set(p.index, stored ? await this.settler.settleRepeat(p, ctx, stored) : first);
    }
    if (fresh.length > 0) await this.sweeper.batchObject(fresh, settledByIndex, s3Key, ctx);
    return settledByIndex;
  }

  /**
   * Before anything is stored: every event that names a source must name one the caller may write
   * (else the whole request is 403, logged with the key id), and the events must fit its rate limit.
   */
  private admit(values: unknown[], ctx: RequestContext): void {
    const { caller } = ctx;
    for (const value of values) {
      const source = (value as { source?: unknown } | null)?.source;
      if (typeof source === 'string' && !caller.scope.covers(source)) {
        this.logger.warn(
          { op: 'auth', code: 'AUTH.SOURCE_FORBIDDEN', key_id: caller.id, source, request_id: ctx.requestId },
          'request refused',
        );
        throw new AppError(
          'AUTH.SOURCE_FORBIDDEN',
          `Key ${caller.id} may not write source ${JSON.stringify(source)}; it may write ${caller.scope.toString()}`,
          { key_id: caller.id, source },
        );
      }
    }
    this.rateLimits.takeEvents(caller, values.length);
  }

  /** A body that is not JSON is kept under rejected/ and answered 400. */
  private async refuseInvalidJson(body: unknown, bytes: Buffer, ctx: RequestContext): Promise<void> {
    if (!(body instanceof InvalidJsonBody)) return;
    await this.keepRefused(ctx, bytes, undefined, [{ field: '(body)', message: body.reason }]);
    throw new AppError('REQUEST.INVALID_JSON', `Body is not valid JSON: ${body.reason}`);
  }

  /** Keeps a refused body under rejected/ and counts it (when it could be kept). */
  private async keepRefused(
    ctx: RequestContext,
    bytes: Buffer,
    value: unknown,
    problems: FieldProblem[],
    reason?: 'schema',
  ): Promise<void> {
    const kept = await this.rejectedWriter.keep(ctx, bytes, value, problems, { reason });
    if (kept) await this.accounting.count([], [value], ctx);
  }

  /** Each event's schema violations; a store that cannot be read fails the request (503). */
  private async schemaViolations(events: Prepared['event'][]): Promise<(FieldProblem[] | undefined)[]> {
    try {
      return await this.schemas.violations(events);
    } catch (err) {
      throw this.accounting.storageFailure(err, 'schemas');
    }
  }
}
