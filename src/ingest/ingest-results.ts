// What ingest answers, pure: the result of a single event, each batch item's result (accepted,
// duplicate, conflict, rejected, failed) and the batch envelope, built from the model's outcomes.
import type { Caller } from '../shared/auth/caller';
import { AppError, FieldProblem } from '../shared/errors/app-error';
import type { IngestOutcome } from './ingest.metrics';
import type { EventCheck, Prepared, RequestContext, Settled } from './ingest-model';

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
/**
 * The 409 of a reused idempotency key. The stored payload's hash is shown only to a caller whose
 * scope covers the stored event's source: it says nothing about another producer's data otherwise.
 */
export function conflictError(
  p: Prepared,
  settled: Extract<Settled, { outcome: 'conflict' }>,
  caller: Caller,
): AppError {
  const { stored, differs } = settled;
  return new AppError(
    'INGEST.IDEMPOTENCY_CONFLICT',
    `idempotency_key ${JSON.stringify(p.event.idempotency_key)} of source ${p.event.source} was already used ` +
      `for an event with a different ${differs.join(', ')}; the conflicting submission is kept under rejected/`,
    {
      event_id: p.eventId,
      differing_fields: differs,
      ...(caller.scope.covers(stored.source) ? { stored_payload_sha256: stored.payload_sha256 } : {}),
      received_payload_sha256: p.payloadSha256,
    },
  );
}

/** The answer to a single `POST /ingest`: a result, or the error to throw. */
export function singleResult(
  p: Prepared,
  settled: Settled,
  ctx: RequestContext,
  s3Key: string,
): IngestResult {
  const receivedAt = new Date(ctx.receivedAt).toISOString();
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
      throw conflictError(p, settled, ctx.caller);
    case 'failed':
      throw settled.error;
  }
}

/** One item's entry in a batch answer. */
export function itemResult(p: Prepared, settled: Settled, caller: Caller): BatchItemResult {
  switch (settled.outcome) {
    case 'accepted':
    case 'duplicate':
      return { index: p.index, event_id: p.eventId, status: settled.outcome };
    case 'conflict': {
      const err = conflictError(p, settled, caller);
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

export function refusedItemResult(
  index: number,
  refused: Extract<EventCheck, { ok: false }>,
): BatchItemResult {
  const message = refused.code === 'INGEST.PAYLOAD_TOO_DEEP' ? 'Payload nested too deep' : 'Invalid event';
  return { index, status: 'rejected', error: { code: refused.code, message, details: refused.problems } };
}

export function schemaViolation(index: number, problems: FieldProblem[]): BatchItemResult {
  const message = 'The payload does not match its schema';
  return {
    index,
    status: 'rejected',
    error: { code: 'INGEST.SCHEMA_VIOLATION', message, details: problems },
  };
}

/** The batch answer: every item's result and the totals per outcome. */
export function batchResult(results: BatchItemResult[]): BatchResult {
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
