import { AppError, StorageUnavailableError } from '../shared/errors/app-error';
import { parseReplayMessage } from '../shared/contracts/replay-message';
import { failureCause } from './failure-cause';
import { IntegrityError } from './message-verifier';

const AT = '2026-11-25T02:00:00.000Z';

describe('failureCause', () => {
  it('names an integrity error by its reason', () => {
    const err = new IntegrityError('raw_missing', 'raw object raw/x is missing', 'a'.repeat(32));
    expect(failureCause(err, AT)).toEqual({
      kind: 'integrity_error',
      code: 'PROCESSOR.INTEGRITY_ERROR',
      reason: 'raw_missing',
      message: 'raw object raw/x is missing',
      at: AT,
    });
  });

  it('calls an unreadable body an invalid message', () => {
    let err: unknown;
    try {
      parseReplayMessage('not json');
    } catch (e) {
      err = e;
    }
    expect(failureCause(err, AT)).toMatchObject({ kind: 'invalid_message', reason: 'invalid_message' });
  });

  it('names the unavailable dependency of a storage error', () => {
    expect(failureCause(new StorageUnavailableError('dynamodb', 'Query'), AT)).toMatchObject({
      kind: 'storage_error',
      code: 'STORAGE.UNAVAILABLE',
      reason: 'dynamodb_unavailable',
    });
  });

  it('keeps other app errors and unknown errors as processing errors', () => {
    expect(failureCause(new AppError('PROCESSOR.CONTENDED', 'kept changing'), AT)).toMatchObject({
      kind: 'processing_error',
      code: 'PROCESSOR.CONTENDED',
      reason: 'processor.contended',
    });
    expect(failureCause(new TypeError('boom'), AT)).toMatchObject({
      kind: 'processing_error',
      code: 'INTERNAL',
      reason: 'TypeError',
      message: 'boom',
    });
    expect(failureCause('a string', AT)).toMatchObject({ kind: 'processing_error', message: 'a string' });
  });
});
