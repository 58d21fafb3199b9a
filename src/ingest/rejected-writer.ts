// Keeps refused submissions: the body and its errors under rejected/ in the raw store, and a row in the
// rejected-row store (with the body inline when small), so /rejected can show what was refused and why.
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { boundedProblems, FieldProblem, MAX_REPORTED_PROBLEMS } from '../shared/errors/app-error';
import { RawStore } from '../shared/raw/raw-store';
import { RejectedRecord, RejectedStore } from '../shared/rejected/rejected-store';
import { IngestAccounting } from './ingest-accounting';
import { labelOf, RequestContext } from './ingest-model';
import { rejectedKey } from './raw-keys';

/** Rejected bodies up to this size are also kept inline in the row, for one-call reads. */
const INLINE_REJECTED_BYTES = 8 * 1024;

export class RejectedWriter {
  private readonly logger = new Logger(RejectedWriter.name);

  constructor(
    private readonly raw: RawStore,
    private readonly rows: RejectedStore,
    private readonly accounting: IngestAccounting,
  ) {}

  /**
   * Keeps a refused submission. Best effort: the caller answers 4xx either way, and a storage failure
   * here is logged and counted, never turned into a 5xx. Returns the S3 key when the body was stored.
   */
  async keep(
    ctx: RequestContext,
    bytes: Buffer,
    value: unknown,
    problems: FieldProblem[],
    options: { reason?: RejectedRecord['reason']; eventId?: string } = {},
  ): Promise<string | undefined> {
    const receivedAt = new Date(ctx.receivedAt).toISOString();
    const rejectionId = randomUUID();
    const key = rejectedKey(receivedAt, rejectionId);
    const source = labelOf(value, 'source');
    const text = bytes.toString('utf8');
    const record: RejectedRecord = {
      rejection_id: rejectionId,
      ...(source !== '~' ? { source } : {}),
      received_at: receivedAt,
      request_id: ctx.requestId,
      key_id: ctx.caller.id,
      reason: options.reason ?? 'validation',
      // Bounded, so the row always fits DynamoDB's 400 KB item limit; the S3 object keeps them all.
      errors: boundedProblems(problems),
      ...(problems.length > MAX_REPORTED_PROBLEMS ? { errors_total: problems.length } : {}),
      s3_key: key,
      size_bytes: bytes.length,
      ...(options.eventId ? { event_id: options.eventId } : {}),
    };
    try {
      const object = { ...record, errors: problems, raw: text };
      await this.raw.put(key, Buffer.from(JSON.stringify(object)), 'application/json');
      await this.rows.put({ ...record, ...(bytes.length <= INLINE_REJECTED_BYTES ? { raw: text } : {}) });
    } catch (err) {
      this.accounting.storageFailure(err, 'rejected');
      this.logger.error(
        { err, request_id: ctx.requestId, op: 'reject' },
        'could not keep a rejected submission',
      );
      return undefined;
    }
    return key;
  }
}
