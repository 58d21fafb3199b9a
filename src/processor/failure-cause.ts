// Why a message failed, in the terms the dead-letter listing shows: an integrity error (the raw object
// does not match), an invalid message (poison), a storage error (a dependency was unavailable) or any
// other processing error. Pure, so the mapping is unit-tested.
import { AppError, StorageUnavailableError } from '../shared/errors/app-error';
import type { FailureCause } from '../shared/message-failures/message-failure-store';
import { IntegrityError } from './message-verifier';

export function failureCause(err: unknown, at: string): FailureCause {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof IntegrityError)
    return { kind: 'integrity_error', code: err.code, reason: err.reason, message, at };
  if (err instanceof StorageUnavailableError)
    return { kind: 'storage_error', code: err.code, reason: `${err.dependency}_unavailable`, message, at };
  if (err instanceof AppError && err.code === 'PROCESSOR.INVALID_MESSAGE')
    return { kind: 'invalid_message', code: err.code, reason: 'invalid_message', message, at };
  if (err instanceof AppError)
    return { kind: 'processing_error', code: err.code, reason: err.code.toLowerCase(), message, at };
  const name = err instanceof Error ? err.name : 'Error';
  return { kind: 'processing_error', code: 'INTERNAL', reason: name, message, at };
}
