// SDK failures become app errors here, at the store boundary.
import { StorageUnavailableError } from '../errors/app-error';

interface SdkErrorShape {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'InternalServerError',
  'InternalError',
  'AbortError',
]);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/** True when the error means the dependency is down, slow or throttling: retrying later can succeed. */
export function isUnavailable(err: unknown): boolean {
  const e = err as SdkErrorShape | undefined;
  if (!e) return false;
  const status = e.$metadata?.httpStatusCode;
  return (
    UNAVAILABLE_NAMES.has(e.name ?? '') ||
    UNAVAILABLE_CODES.has(e.code ?? '') ||
    e.$fault === 'server' ||
    (status !== undefined && status >= 500) ||
    // No HTTP status at all: the request never got an answer (connection refused, reset, socket timeout).
    (status === undefined && e.$metadata !== undefined) ||
    (status === undefined && e.$fault === undefined && e.code !== undefined)
  );
}

/** Rethrows `err` as StorageUnavailableError when the dependency is unavailable, unchanged otherwise. */
export function rethrowStorage(
  dependency: 's3' | 'dynamodb' | 'sqs',
  operation: string,
  err: unknown,
): never {
  if (isUnavailable(err)) throw new StorageUnavailableError(dependency, operation, err);
  throw err;
}
