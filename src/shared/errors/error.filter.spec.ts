import { ForbiddenException, NotFoundException } from '@nestjs/common';
import { AppError, StorageUnavailableError } from './app-error';
import { toErrorResponse } from './error.filter';

describe('toErrorResponse', () => {
  it('maps an AppError code to its status and keeps details', () => {
    const err = new AppError('INGEST.VALIDATION_FAILED', 'bad', [{ field: 'source', message: 'required' }]);
    expect(toErrorResponse(err, 'r1')).toEqual({
      status: 400,
      body: {
        error: {
          code: 'INGEST.VALIDATION_FAILED',
          message: 'bad',
          details: [{ field: 'source', message: 'required' }],
        },
        request_id: 'r1',
      },
      retryAfter: undefined,
    });
  });

  it('gives storage failures 503 with Retry-After', () => {
    const out = toErrorResponse(new StorageUnavailableError('s3', 'PutObject'), 'r2');
    expect(out.status).toBe(503);
    expect(out.retryAfter).toBe(1);
    expect(out.body.error.code).toBe('STORAGE.UNAVAILABLE');
  });

  it.each([
    [{ code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400, message: 'x' }, 400, 'REQUEST.INVALID_JSON'],
    [{ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'x' }, 413, 'REQUEST.BODY_TOO_LARGE'],
    [
      { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415, message: 'x' },
      415,
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    ],
  ])('maps Fastify error %o', (err, status, code) => {
    const out = toErrorResponse(err, 'r3');
    expect(out.status).toBe(status);
    expect(out.body.error.code).toBe(code);
  });

  it('maps Nest HTTP exceptions', () => {
    expect(toErrorResponse(new NotFoundException(), 'r').body.error.code).toBe('REQUEST.NOT_FOUND');
    expect(toErrorResponse(new ForbiddenException(), 'r').status).toBe(403);
  });

  it('hides the internals of unknown errors', () => {
    const out = toErrorResponse(new Error('secret connection string'), 'r4');
    expect(out.status).toBe(500);
    expect(JSON.stringify(out.body)).not.toContain('secret');
    expect(out.body.error.message).toContain('r4');
  });
});
