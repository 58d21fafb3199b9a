// Errors with stable, machine-readable codes. The HTTP status of each code is in ERROR_STATUS below;
// error.filter.ts is the one place that applies it.

export interface FieldProblem {
  field: string;
  message: string;
}

export const ERROR_STATUS = {
  'REQUEST.INVALID_JSON': 400,
  'REQUEST.VALIDATION_FAILED': 400,
  'REQUEST.BODY_TOO_LARGE': 413,
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': 415,
  'REQUEST.NOT_FOUND': 404,
  'REQUEST.METHOD_NOT_ALLOWED': 405,
  'REQUEST.TIMEOUT': 503,
  'AUTH.MISSING_KEY': 401,
  'AUTH.INVALID_KEY': 401,
  'AUTH.INVALID_SIGNATURE': 401,
  'AUTH.FORBIDDEN': 403,
  'AUTH.SOURCE_FORBIDDEN': 403,
  'INGEST.VALIDATION_FAILED': 400,
  'INGEST.IDEMPOTENCY_CONFLICT': 409,
  'INGEST.PAYLOAD_TOO_DEEP': 400,
  'INGEST.SCHEMA_VIOLATION': 400,
  'QUERY.VALIDATION_FAILED': 400,
  'QUERY.EVENT_NOT_FOUND': 404,
  'QUERY.REJECTED_NOT_FOUND': 404,
  'QUERY.WINDOW_TOO_WIDE': 400,
  'QUERY.INVALID_CURSOR': 400,
  'REPLAY.VALIDATION_FAILED': 400,
  'REPLAY.NOT_FOUND': 404,
  'REPLAY.TOO_MANY_EVENTS': 400,
  'REPLAY.WINDOW_TOO_WIDE': 400,
  'REPLAY.QUEUE_NOT_ALLOWED': 400,
  'REPLAY.TOO_MANY_RUNNING': 429,
  'REPLAY.TOO_MANY_PLANS': 429,
  'REPLAY.NOT_CANCELLABLE': 409,
  'RECONCILE.VALIDATION_FAILED': 400,
  'RECONCILE.WINDOW_TOO_WIDE': 400,
  'RECONCILE.NOT_FOUND': 404,
  'REPLAY.NOT_RESENDABLE': 409,
  'AGGREGATE.NOT_FOUND': 404,
  'AGGREGATE.VALIDATION_FAILED': 400,
  'AGGREGATE.VERSION_NOT_FOUND': 404,
  'DLQ.VALIDATION_FAILED': 400,
  'DLQ.MESSAGE_NOT_FOUND': 404,
  'ALERTS.VALIDATION_FAILED': 400,
  'ALERTS.NOT_FOUND': 404,
  'SCHEMA.VALIDATION_FAILED': 400,
  'SCHEMA.INVALID': 400,
  'SCHEMA.NOT_FOUND': 404,
  'PROCESSOR.INVALID_MESSAGE': 400,
  'PROCESSOR.INTEGRITY_ERROR': 422,
  'PROCESSOR.CONTENDED': 503,
  'STORAGE.UNAVAILABLE': 503,
  'STORAGE.NOT_FOUND': 404,
  'STORAGE.DUPLICATE': 409,
  RATE_LIMITED: 429,
  'HEALTH.NOT_READY': 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds a client should wait before retrying, sent as Retry-After. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** A storage dependency (S3, DynamoDB, SQS) failed or timed out; safe to retry. */
export class StorageUnavailableError extends AppError {
  constructor(
    readonly dependency: 's3' | 'dynamodb' | 'sqs',
    readonly operation: string,
    cause?: unknown,
  ) {
    super(
      'STORAGE.UNAVAILABLE',
      `${dependency} is unavailable (${operation}); retry later`,
      { dependency },
      1,
    );
    this.name = 'StorageUnavailableError';
    if (cause !== undefined) this.cause = cause;
  }
}

/** A thing looked up in a store does not exist. */
export class StorageNotFoundError extends AppError {
  constructor(what: string) {
    super('STORAGE.NOT_FOUND', `${what} not found`);
    this.name = 'StorageNotFoundError';
  }
}

/** Problems reported or kept for one request at most, and the longest field or message kept. */
export const MAX_REPORTED_PROBLEMS = 20;
const MAX_PROBLEM_CHARS = 500;

const clip = (text: string): string =>
  text.length > MAX_PROBLEM_CHARS ? `${text.slice(0, MAX_PROBLEM_CHARS)}…` : text;

/** The problems to answer or keep: at most MAX_REPORTED_PROBLEMS, each field and message clipped. */
export function boundedProblems(problems: FieldProblem[]): FieldProblem[] {
  return problems
    .slice(0, MAX_REPORTED_PROBLEMS)
    .map((p) => ({ field: clip(p.field), message: clip(p.message) }));
}

export function validationError(
  code:
    | 'INGEST.VALIDATION_FAILED'
    | 'INGEST.SCHEMA_VIOLATION'
    | 'SCHEMA.VALIDATION_FAILED'
    | 'SCHEMA.INVALID'
    | 'QUERY.VALIDATION_FAILED'
    | 'REPLAY.VALIDATION_FAILED'
    | 'RECONCILE.VALIDATION_FAILED'
    | 'REQUEST.VALIDATION_FAILED'
    | 'AGGREGATE.VALIDATION_FAILED'
    | 'DLQ.VALIDATION_FAILED'
    | 'ALERTS.VALIDATION_FAILED',
  all: FieldProblem[],
): AppError {
  const problems = boundedProblems(all);
  const more = all.length > problems.length ? `; and ${all.length - problems.length} more` : '';
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new AppError(code, `Invalid request: ${summary}${more}`, problems);
}
