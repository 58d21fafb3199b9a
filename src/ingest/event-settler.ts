// Settling a prepared event against the index: claim its item, or, when its id is already taken,
// decide duplicate (same identity) or conflict (an idempotency key reused for another event, kept
// under rejected/) and record the attempt. A storage failure settles as `failed`, never throws.
import { randomUUID } from 'node:crypto';
import { EventIndex, EventRecord } from '../shared/events/event-index';
import { IngestAccounting } from './ingest-accounting';
import { eventRecord, identityDifferences, Prepared, RequestContext, Settled } from './ingest-model';
import { RejectedWriter } from './rejected-writer';

export class EventSettler {
  constructor(
    private readonly index: EventIndex,
    private readonly rejectedWriter: RejectedWriter,
    private readonly accounting: IngestAccounting,
  ) {}

  /** Claims the index item; on a repeat, settles it against the stored event. */
  async settle(p: Prepared, ctx: RequestContext, s3Key: string, range?: [number, number]): Promise<Settled> {
    const record = eventRecord(p, ctx, s3Key, range);
    try {
      const claim = await this.index.claim(record);
      if (claim.claimed) return { outcome: 'accepted', record };
      return await this.settleRepeat(p, ctx, claim.existing);
    } catch (err) {
      return { outcome: 'failed', error: this.accounting.storageFailure(err, 'index') };
    }
  }

  /**
   * A repeat of a stored event is a duplicate when its identity (type, entity, occurred_at, payload)
   * matches, else a conflict kept under rejected/; either way the attempt is recorded.
   */
  async settleRepeat(p: Prepared, ctx: RequestContext, stored: EventRecord): Promise<Settled> {
    const attempt = {
      attempt_id: randomUUID(),
      event_id: p.eventId,
      source: p.event.source,
      received_at: new Date(ctx.receivedAt).toISOString(),
      payload_sha256: p.payloadSha256,
      request_id: ctx.requestId,
      key_id: ctx.caller.id,
    };
    try {
      const differs = identityDifferences(p, stored);
      if (differs.length === 0) {
        const repeat = await this.index.recordRepeat({ ...attempt, kind: 'duplicate' });
        return { outcome: 'duplicate', record: repeat.event };
      }
      const rejectedKey = await this.rejectedWriter.keep(
        ctx,
        p.bytes,
        p.event,
        [{ field: 'idempotency_key', message: `reused for an event with a different ${differs.join(', ')}` }],
        { reason: 'conflict', eventId: p.eventId },
      );
      await this.index.recordRepeat({ ...attempt, kind: 'conflict', s3_key: rejectedKey });
      return { outcome: 'conflict', stored, differs, rejectedKey };
    } catch (err) {
      return { outcome: 'failed', error: this.accounting.storageFailure(err, 'index') };
    }
  }
}
