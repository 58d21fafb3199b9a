// Carries out raw-cleanup.ts's plans: removes raw bytes this request wrote that no index item points
// to, and rewrites a batch object whose items lost their claims to a concurrent request. Best effort:
// a failure leaves an unreferenced object (logged and counted), never a missing one.
import { Logger } from '@nestjs/common';
import { EventIndex } from '../shared/events/event-index';
import { RawStore } from '../shared/raw/raw-store';
import { IngestAccounting } from './ingest-accounting';
import { ndjsonObject, Prepared, RequestContext, Settled } from './ingest-model';
import { batchCleanup } from './raw-cleanup';
import { batchRawKey } from './raw-keys';

export class RawSweeper {
  private readonly logger = new Logger(RawSweeper.name);

  constructor(
    private readonly raw: RawStore,
    private readonly index: EventIndex,
    private readonly accounting: IngestAccounting,
  ) {}

  /** Items of a batch object that lost their claim to a concurrent request leave it (raw-cleanup.ts). */
  async batchObject(
    written: Prepared[],
    settled: Map<number, Settled>,
    key: string,
    ctx: RequestContext,
  ): Promise<void> {
    const plan = batchCleanup(written, settled, key);
    if (plan.action === 'none') return;
    if (plan.action === 'rewrite') {
      try {
        const object = ndjsonObject(plan.keep);
        const copy = batchRawKey(new Date(ctx.receivedAt).toISOString(), object.body);
        await this.raw.putIfAbsent(copy, object.body, 'application/x-ndjson');
        for (const p of plan.keep) {
          // Only this request points events at its object, so a refusal means: leave the object be.
          if (!(await this.index.repoint(p.eventId, key, copy, object.ranges.get(p.index)))) return;
        }
      } catch (err) {
        this.accounting.storageFailure(err, 'rewrite');
        this.logger.warn(
          { err, request_id: ctx.requestId, op: 'raw.rewrite', s3_key: key },
          'kept batch object',
        );
        return;
      }
    }
    await this.remove(key, ctx);
  }

  /** Removes raw bytes no index item points to; best effort: a leftover is harmless, only untidy. */
  async remove(key: string, ctx: RequestContext): Promise<void> {
    try {
      await this.raw.delete(key);
    } catch (err) {
      this.accounting.storageFailure(err, 'DeleteObject');
      this.logger.warn({ err, request_id: ctx.requestId, op: 'raw.delete', s3_key: key }, 'kept raw object');
    }
  }
}
