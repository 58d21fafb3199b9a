// The one place errors become HTTP: AppError codes map to their status; Fastify's own errors
// (bad JSON, body too large, wrong content type) and Nest's HTTP exceptions get the same body shape;
// anything else is a 500 that names only the request id.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestSignal } from '../async/request-scope';
import { AppError, ErrorCode } from './app-error';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
  request_id: string;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'REQUEST.INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'REQUEST.INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'REQUEST.BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'REQUEST.VALIDATION_FAILED',
};

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'REQUEST.VALIDATION_FAILED',
  401: 'AUTH.MISSING_KEY',
  403: 'AUTH.FORBIDDEN',
  404: 'REQUEST.NOT_FOUND',
  405: 'REQUEST.METHOD_NOT_ALLOWED',
  413: 'REQUEST.BODY_TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Turns any thrown value into a status and error body; pure, so it is unit-tested directly. */
export function toErrorResponse(
  err: unknown,
  requestId: string,
): { status: number; body: ErrorBody; retryAfter?: number } {
  if (err instanceof AppError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message }, request_id: requestId };
    if (err.details !== undefined) body.error.details = err.details;
    return { status: err.status, body, retryAfter: err.retryAfterSeconds };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code = HTTP_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'REQUEST.VALIDATION_FAILED');
    const message = status >= 500 ? 'Internal error' : err.message;
    return { status, body: { error: { code, message }, request_id: requestId } };
  }
  const fastify = err as FastifyLikeError;
  const mapped = fastify?.code ? FASTIFY_CODES[fastify.code] : undefined;
  if (mapped) {
    const status = mapped === 'REQUEST.VALIDATION_FAILED' ? 400 : (fastify.statusCode ?? 400);
    return {
      status,
      body: { error: { code: mapped, message: fastify.message ?? mapped }, request_id: requestId },
    };
  }
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const code = HTTP_CODES[fastify.statusCode] ?? 'REQUEST.VALIDATION_FAILED';
    return {
      status: fastify.statusCode,
      body: { error: { code, message: fastify.message ?? code }, request_id: requestId },
    };
  }
  return {
    status: 500,
    body: {
      error: { code: 'INTERNAL', message: `Internal error; quote request id ${requestId} when reporting it` },
      request_id: requestId,
    },
  };
}

@Catch()
export class AppErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('errors');

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const requestId = String(request?.id ?? 'unknown');
    // The request was already answered (its ceiling passed) or its client left: nobody is listening.
    if (reply?.sent || requestSignal()?.aborted) {
      this.logger.log(
        { request_id: requestId, op: 'request.abandoned', reason: String(err) },
        'request ended early',
      );
      return;
    }
    const { status, body, retryAfter } = toErrorResponse(err, requestId);
    if (status >= 500) {
      this.logger.error({ err, request_id: requestId, code: body.error.code }, 'request failed');
    }
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    void reply.status(status).send(body);
  }
}
