// The accounting of ingest: what each request adds to the per (source, type, hour) counter rows and the
// sources' active minutes (through the CounterBuffer's coalesced flushes), the ingest metrics, and the count
// of storage failures.
import { Logger } from '@nestjs/common';
import { dayOf, hourOf } from '../shared/aws/table-keys';
import {
  ActivityMinutes,
  CounterDelta,
  emptyCounterDelta,
  IngestStatsStore,
} from '../shared/ingest-stats/ingest-stats-store';
import { bucketIndex } from '../shared/metrics/lag-histogram';
import { AppError, StorageUnavailableError } from '../shared/errors/app-error';
import { IngestMetrics } from './ingest.metrics';
import { CounterBuffer } from './counter-buffer';
import { labelOf, Prepared, RequestContext, Settled } from './ingest-model';

export interface Outcome {
  p: Prepared;
  settled: Settled;
}

/**
 * The counter rows and activity minutes of one request: settled events count under their own source
 * and type, refused values under what of them is readable (`~` otherwise); storage failures count
 * nowhere (the producer retries them).
 */
export function requestCounts(
  outcomes: Outcome[],
  refused: unknown[],
  receivedAtMs: number,
): { rows: CounterDelta[]; activity: ActivityMinutes[] } {
  const receivedAt = new Date(receivedAtMs).toISOString();
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
    if (settled.outcome === 'failed') continue;
    const d = row(p.event.source, p.event.type);
    d.received += 1;
    if (settled.outcome === 'accepted') {
      d.accepted += 1;
      d.bytes += p.bytes.length;
      d.late += p.late ? 1 : 0;
      d.future += p.future ? 1 : 0;
      const lag = Math.max(0, p.lagMs);
      d.lag_buckets[bucketIndex(lag)] += 1;
      d.lag_sum_ms += lag;
      d.lag_max_ms = Math.max(d.lag_max_ms, lag);
    } else if (settled.outcome === 'duplicate') d.duplicates += 1;
    else d.conflicts += 1;
  }
  for (const value of refused) {
    const d = row(labelOf(value, 'source'), labelOf(value, 'type'));
    d.received += 1;
    d.rejected += 1;
  }
  const minute = new Date(receivedAtMs).getUTCHours() * 60 + new Date(receivedAtMs).getUTCMinutes();
  const activeSources = [...new Set([...rows.values()].map((d) => d.source))].filter((s) => s !== '~');
  return {
    rows: [...rows.values()],
    activity: activeSources.map((source) => ({ source, day: dayOf(receivedAt), minutes: [minute] })),
  };
}

export class IngestAccounting {
  private readonly logger = new Logger(IngestAccounting.name);
  private readonly buffer: CounterBuffer;

  constructor(
    stats: IngestStatsStore,
    private readonly metrics: IngestMetrics,
    flushMs = 0,
  ) {
    this.buffer = new CounterBuffer(
      stats,
      (err, pendingRows) => {
        // The events themselves are durable; the rows are retried, so a failure never fails a request.
        this.metrics.statsWriteFailures.inc();
        this.logger.warn(
          { err, op: 'count', pending_rows: pendingRows },
          'stats counter write failed; will retry',
        );
      },
      flushMs,
    );
  }

  /** At shutdown: writes pending counter rows, logging any it cannot (see CounterBuffer). */
  close(): Promise<void> {
    return this.buffer.close();
  }

  /** Counts a request's outcomes and refused items: metrics at once, rows written once per row. */
  async count(outcomes: Outcome[], refused: unknown[], ctx: RequestContext): Promise<void> {
    for (const { p, settled } of outcomes) {
      const { source, type } = p.event;
      this.metrics.ingest(source, type, settled.outcome);
      if (settled.outcome === 'accepted') this.metrics.ingestLag(source, type, p.lagMs);
    }
    for (const value of refused) {
      this.metrics.ingest(labelOf(value, 'source'), labelOf(value, 'type'), 'rejected');
    }
    await this.addRows(outcomes, refused, ctx);
  }

  /**
   * Counts events indexed late by reconcile in the rows of the hour they were received, as ingest
   * would have; the ingest metrics describe live traffic, so they are left alone.
   */
  async countRecovered(outcomes: Outcome[], ctx: RequestContext): Promise<void> {
    await this.addRows(outcomes, [], ctx);
  }

  private async addRows(outcomes: Outcome[], refused: unknown[], ctx: RequestContext): Promise<void> {
    const { rows, activity } = requestCounts(outcomes, refused, ctx.receivedAt);
    await this.buffer.add(rows, activity);
  }

  /** Counts a storage failure and returns it as the app error to answer with. */
  storageFailure(err: unknown, operation: string): AppError {
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
