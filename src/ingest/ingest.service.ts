// The write path, orchestration only: validate, identify (ingest-model.ts), store raw bytes first, then
// claim the index item; duplicates and conflicts are counted against the stored event; refused bodies
// are kept by the RejectedWriter; counters and metrics by IngestAccounting. Nothing is answered 2xx
// unless both the raw object and the index item are durable.
import { Injectable } from '@nestjs/common';
import { mapLimit } from '../shared/async/map-limit';
import { Env } from '../shared/config/env.config';
import { AppError, FieldProblem, validationError } from '../shared/errors/app-error';
import { EventIndex } from '../shared/events/event-index';
import { InvalidJsonBody } from '../shared/http/json-body';
import { IngestStatsStore } from '../shared/ingest-stats/ingest-stats-store';
import { IngestMetrics } from './ingest.metrics';
import { RawStore } from '../shared/raw/raw-store';
import { RejectedStore } from '../shared/rejected/rejected-store';
import { IngestAccounting, Outcome } from './ingest-accounting';
import {
  batchEvents,
  batchResult,
  BatchItemResult,
  BatchResult,
  checkBatchItem,
  eventRecord,
  IngestResult,
  itemResult,
  ndjsonObject,
  Prepared,
  prepareEvent,
  RefusedItem,
  refusedItemResult,
  RequestContext,
  Settled,
  singleResult,
  splitRepeats,
} from './ingest-model';
import { validateIngestEvent } from './ingest.dto';
import { eventSpans } from './json-spans';
import { batchRawKey, singleRawKey } from './raw-keys';
import { RejectedWriter } from './rejected-writer';

const CLAIM_CONCURRENCY = 32;

@Injectable()
export class IngestService {
  private readonly accounting: IngestAccounting;
  private readonly rejectedWriter: RejectedWriter;

  constructor(
    private readonly raw: RawStore,
    private readonly index: EventIndex,
    rejectedRows: RejectedStore,
    stats: IngestStatsStore,
    metrics: IngestMetrics,
    private readonly env: Env,
  ) {
    this.accounting = new IngestAccounting(stats, metrics);
    this.rejectedWriter = new RejectedWriter(raw, rejectedRows, this.accounting);
  }

  async ingestOne(body: unknown, bytes: Buffer, ctx: RequestContext): Promise<IngestResult> {
    await this.refuseInvalidJson(body, bytes, ctx);
    const checked = validateIngestEvent(body);
    if (!checked.ok) {
      const kept = await this.rejectedWriter.keep(ctx, bytes, body, checked.problems);
      if (kept) await this.accounting.count([], [body], ctx);
      throw validationError('INGEST.VALIDATION_FAILED', checked.problems);
    }
    const p = this.prepare(0, checked.event, bytes, ctx);
    const s3Key = singleRawKey(p.event.source, p.occurredAt, p.eventId, bytes);
    try {
      await this.raw.putIfAbsent(s3Key, bytes, 'application/json');
    } catch (err) {
      throw this.accounting.storageFailure(err, 'PutObject');
    }
    const settled = await this.settle(p, ctx, s3Key);
    await this.countUnlessFailed([{ p, settled }], [], ctx);
    return singleResult(p, settled, ctx, s3Key);
  }

  async ingestBatch(body: unknown, bytes: Buffer, ctx: RequestContext): Promise<BatchResult> {
    await this.refuseInvalidJson(body, bytes, ctx);
    const events = batchEvents(body);
    const spans = eventSpans(bytes) ?? [];
    const results = new Array<BatchItemResult>(events.length);
    const prepared: Prepared[] = [];
    const refused: RefusedItem[] = [];
    events.forEach((value, i) => {
      const itemBytes = spans[i]
        ? bytes.subarray(spans[i][0], spans[i][1])
        : Buffer.from(JSON.stringify(value));
      const checked = checkBatchItem(value, itemBytes, i, this.env.INGEST_MAX_EVENT_BYTES);
      if (checked.ok) {
        prepared.push(this.prepare(i, checked.event, itemBytes, ctx));
      } else {
        refused.push({ value, bytes: itemBytes, problems: checked.problems });
        results[i] = refusedItemResult(i, checked.problems);
      }
    });
    const refusedWrites = refused.map((r) => this.rejectedWriter.keep(ctx, r.bytes, r.value, r.problems));

    const { firsts, repeats } = splitRepeats(prepared);
    const unique = [...firsts.values()];
    const settledByIndex = new Map<number, Settled>();
    const object = ndjsonObject(unique);
    const s3Key = batchRawKey(new Date(ctx.receivedAt).toISOString(), object.body);
    let stored = unique.length === 0;
    if (unique.length > 0) {
      try {
        await this.raw.putIfAbsent(s3Key, object.body, 'application/x-ndjson');
        stored = true;
      } catch (err) {
        const error = this.accounting.storageFailure(err, 'PutObject');
        for (const p of prepared) settledByIndex.set(p.index, { outcome: 'failed', error });
      }
    }
    if (stored) {
      await mapLimit(unique, CLAIM_CONCURRENCY, async (p) => {
        settledByIndex.set(p.index, await this.settle(p, ctx, s3Key, object.ranges.get(p.index)));
      });
      for (const p of repeats) {
        const first = settledByIndex.get(firsts.get(p.eventId)!.index)!;
        settledByIndex.set(p.index, first.outcome === 'failed' ? first : await this.settle(p, ctx, s3Key));
      }
    }
    await Promise.all(refusedWrites);

    const outcomes: Outcome[] = prepared.map((p) => ({ p, settled: settledByIndex.get(p.index)! }));
    await this.countUnlessFailed(
      outcomes,
      refused.map((r) => r.value),
      ctx,
    );
    for (const { p, settled } of outcomes) results[p.index] = itemResult(p, settled);
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

  /** A body that is not JSON is kept under rejected/ and answered 400. */
  private async refuseInvalidJson(body: unknown, bytes: Buffer, ctx: RequestContext): Promise<void> {
    if (!(body instanceof InvalidJsonBody)) return;
    const problems: FieldProblem[] = [{ field: '(body)', message: body.reason }];
    const kept = await this.rejectedWriter.keep(ctx, bytes, undefined, problems);
    if (kept) await this.accounting.count([], [undefined], ctx);
    throw new AppError('REQUEST.INVALID_JSON', `Body is not valid JSON: ${body.reason}`);
  }

  private prepare(index: number, event: Prepared['event'], bytes: Buffer, ctx: RequestContext): Prepared {
    return prepareEvent(index, event, bytes, ctx.receivedAt, this.env.lateThresholdMs(event.source));
  }

  /** Claims the index item; on a repeat, decides duplicate or conflict and records the attempt. */
  private async settle(
    p: Prepared,
    ctx: RequestContext,
    s3Key: string,
    range?: [number, number],
  ): Promise<Settled> {
    const record = eventRecord(p, ctx, s3Key, range);
    try {
      const claim = await this.index.claim(record);
      if (claim.claimed) return { outcome: 'accepted', record };
      const stored = claim.existing;
      const attempt = {
        event_id: p.eventId,
        source: p.event.source,
        received_at: record.received_at,
        payload_sha256: p.payloadSha256,
        request_id: ctx.requestId,
      };
      if (stored.payload_sha256 === p.payloadSha256) {
        const repeat = await this.index.recordRepeat({ ...attempt, kind: 'duplicate' });
        return { outcome: 'duplicate', record: repeat.event };
      }
      const rejectedKey = await this.rejectedWriter.keep(
        ctx,
        p.bytes,
        p.event,
        [{ field: 'idempotency_key', message: 'reused with a different payload' }],
        { reason: 'conflict', eventId: p.eventId },
      );
      await this.index.recordRepeat({ ...attempt, kind: 'conflict', s3_key: rejectedKey });
      return { outcome: 'conflict', stored, rejectedKey };
    } catch (err) {
      return { outcome: 'failed', error: this.accounting.storageFailure(err, 'index') };
    }
  }
}
