// The error side of the OpenAPI document: what each error code means, and the response objects an
// operation answers for the codes it can raise (one per status, the envelope with those codes only).
import type { ResponseObject, SchemaObject } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../errors/app-error';

/** What each code means, shown in the document beside the status that carries it. */
export const ERROR_MEANINGS: Record<ErrorCode, string> = {
  'REQUEST.INVALID_JSON': 'the body is not valid JSON (or is empty)',
  'REQUEST.VALIDATION_FAILED': 'a parameter is malformed or unknown; `details` names each field',
  'REQUEST.BODY_TOO_LARGE': 'the body is over the route’s limit',
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': 'the body is not `application/json`',
  'REQUEST.NOT_FOUND': 'no such route',
  'REQUEST.METHOD_NOT_ALLOWED': 'the route does not take this method',
  'AUTH.MISSING_KEY': 'no API key was sent',
  'AUTH.INVALID_KEY': 'the API key is not one of API_KEYS',
  'AUTH.INVALID_SIGNATURE':
    'the X-Pipescope-Signature does not verify, is outside its 5-minute window, or names a source with no secret',
  'AUTH.SOURCE_FORBIDDEN': 'the key may not write the event’s source (`details.key_id`, `details.source`)',
  'AUTH.FORBIDDEN': 'the key’s role may not do this',
  'INGEST.VALIDATION_FAILED': 'the event (or the batch envelope) is invalid; `details` names each field',
  'INGEST.IDEMPOTENCY_CONFLICT': 'the idempotency key was used before with a different payload',
  'INGEST.PAYLOAD_TOO_DEEP':
    'the payload nests deeper than INGEST_MAX_PAYLOAD_DEPTH; `details` names the path',
  'INGEST.SCHEMA_VIOLATION':
    'the payload breaks the JSON Schema registered for its (source, type); `details` points at each problem',
  'QUERY.VALIDATION_FAILED': 'parameters that do not fit together; `details` names the fields',
  'QUERY.EVENT_NOT_FOUND': 'no event has this id',
  'QUERY.WINDOW_TOO_WIDE': 'the from..to window is wider than the endpoint allows (`details.max_days`)',
  'QUERY.INVALID_CURSOR': 'the cursor is not one this API returned for this query',
  'QUERY.REJECTED_NOT_FOUND': 'no rejected submission has this id',
  'REPLAY.VALIDATION_FAILED': 'the replay request is invalid; `details` names each field',
  'REPLAY.NOT_FOUND': 'no replay has this id',
  'REPLAY.TOO_MANY_EVENTS': '`max_events` is over REPLAY_MAX_EVENTS',
  'REPLAY.WINDOW_TOO_WIDE': 'the filter’s window is wider than REPLAY_MAX_WINDOW_DAYS',
  'REPLAY.QUEUE_NOT_ALLOWED': 'the queue is not in REPLAY_ALLOWED_QUEUES',
  'REPLAY.TOO_MANY_RUNNING': 'too many replays are running and queued; retry after `Retry-After` seconds',
  'REPLAY.NOT_CANCELLABLE': 'the replay already completed or failed',
  'REPLAY.TOO_MANY_PLANS':
    'this caller already runs REPLAY_MAX_PLANS_PER_CALLER selections (plans or creations); retry after `Retry-After` seconds',
  'RECONCILE.VALIDATION_FAILED': 'the reconcile request is invalid; `details` names each field',
  'RECONCILE.WINDOW_TOO_WIDE': 'the window is wider than RECONCILE_MAX_WINDOW_DAYS (`details.max_days`)',
  'RECONCILE.NOT_FOUND': 'no reconcile job has this id',
  'REPLAY.NOT_RESENDABLE': 'nothing to resend now (`details.reason`): all processed, or a resend still runs',
  'SCHEMA.VALIDATION_FAILED':
    'a source or type events could not carry, or a bad parameter; `details` names it',
  'SCHEMA.INVALID': 'the body is not a JSON Schema (draft 2020-12) ajv compiles in strict mode',
  'SCHEMA.NOT_FOUND': 'no schema was ever registered for this (source, type)',
  'AGGREGATE.NOT_FOUND': 'no aggregate has this key',
  'AGGREGATE.VALIDATION_FAILED': 'a malformed aggregate key, version number or window',
  'AGGREGATE.VERSION_NOT_FOUND': 'the aggregate has no such version',
  'DLQ.VALIDATION_FAILED': 'the request is invalid; `details` names each field',
  'DLQ.MESSAGE_NOT_FOUND': 'no message with this id is in the dead-letter queue',
  'ALERTS.VALIDATION_FAILED': 'the request or a rule is invalid; `details` names each field',
  'ALERTS.NOT_FOUND': 'no alert has this id',
  'PROCESSOR.INVALID_MESSAGE': 'a queue message is not a replay message',
  'PROCESSOR.INTEGRITY_ERROR': 'a raw object does not match its recorded hash',
  'PROCESSOR.CONTENDED': 'an aggregate kept changing under concurrent writers',
  'STORAGE.UNAVAILABLE':
    'S3, DynamoDB or SQS failed or timed out (`details.dependency`); nothing was half-done, retry after `Retry-After` seconds',
  'REQUEST.TIMEOUT':
    'the request ran past REQUEST_TIMEOUT_MS; its storage calls were stopped; retry after `Retry-After` seconds',
  'STORAGE.NOT_FOUND': 'a stored object is missing',
  'STORAGE.DUPLICATE': 'a stored object already exists',
  RATE_LIMITED: 'too many requests; retry after `Retry-After` seconds',
  'HEALTH.NOT_READY': 'a dependency is down; `details` holds each check’s result',
  INTERNAL: 'an unexpected failure; quote the request id when reporting it',
};

const RETRY_AFTER = {
  description: 'Seconds to wait before retrying',
  schema: { type: 'integer', minimum: 0 },
};

/** Statuses whose answers carry Retry-After. */
const RETRIED = new Set([429, 503]);

const FIELD_PROBLEM: SchemaObject = {
  type: 'object',
  required: ['field', 'message'],
  properties: {
    field: { type: 'string', description: 'the field, dotted when nested (`filter.to`)' },
    message: { type: 'string' },
  },
};

/** The envelope every error answers with, its code one of `codes`. */
export function errorSchema(codes: readonly ErrorCode[]): SchemaObject {
  return {
    type: 'object',
    required: ['error', 'request_id'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: [...codes] },
          message: { type: 'string', description: 'for people; may change between versions' },
          details: {
            description: 'per code: field problems, or an object (e.g. `max_days`, `dependency`)',
            anyOf: [{ type: 'array', items: FIELD_PROBLEM }, { type: 'object' }],
          },
        },
      },
      request_id: { type: 'string', description: 'also the `x-request-id` response header' },
    },
  };
}

const EXAMPLE_DETAILS: Partial<Record<ErrorCode, unknown>> = {
  'REQUEST.VALIDATION_FAILED': [{ field: 'limit', message: 'limit must not be greater than 1000' }],
  'INGEST.VALIDATION_FAILED': [{ field: 'type', message: 'type must not contain whitespace' }],
  'QUERY.VALIDATION_FAILED': [{ field: 'from', message: 'from must not be after to' }],
  'QUERY.WINDOW_TOO_WIDE': { max_days: 31 },
  'QUERY.INVALID_CURSOR': [{ field: 'cursor', message: 'not a cursor this API returned' }],
  'REPLAY.VALIDATION_FAILED': [{ field: 'reason', message: 'reason must not be blank' }],
  'STORAGE.UNAVAILABLE': { dependency: 'dynamodb' },
  'INGEST.IDEMPOTENCY_CONFLICT': {
    event_id: '6a061d1be6890b82b9586e198aeaef51',
    stored_payload_sha256: '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862',
    received_payload_sha256: '7e8059f4b4e5d5b4a5e0c3c2d3a1e4f6b7c8d9e0f1a2b3c4d5e6f708192a3b4c',
  },
  'REPLAY.TOO_MANY_RUNNING': { running: 2, queued: 20 },
  'HEALTH.NOT_READY': {
    status: 'error',
    info: { sqs: { status: 'up', latency_ms: 2 }, dynamodb: { status: 'up', latency_ms: 3 } },
    error: { s3: { status: 'down', message: 'timed out', latency_ms: 2000 } },
    details: { s3: { status: 'down', message: 'timed out', latency_ms: 2000 } },
  },
};

function example(code: ErrorCode): { summary: string; value: unknown } {
  const details = EXAMPLE_DETAILS[code];
  return {
    summary: code,
    value: {
      error: { code, message: ERROR_MEANINGS[code], ...(details === undefined ? {} : { details }) },
      request_id: '6595e8ff-6deb-4e08-ab38-166120ee9b5b',
    },
  };
}

/** One response per status for `codes`: the envelope, the meaning of each code, an example of each. */
export function errorResponses(codes: Iterable<ErrorCode>): Record<string, ResponseObject> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, ResponseObject> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    list.sort();
    responses[String(status)] = {
      description: list.map((code) => `\`${code}\`: ${ERROR_MEANINGS[code]}`).join('; '),
      ...(RETRIED.has(status) ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
      content: {
        'application/json': {
          schema: errorSchema(list),
          examples: Object.fromEntries(list.map((code) => [code, example(code)])),
        },
      },
    };
  }
  return responses;
}
