// The lifetime of each HTTP request: it ends when its response is over (sent, or abandoned by the
// client) or at the ceiling, REQUEST_TIMEOUT_MS, when it is answered 503 REQUEST.TIMEOUT. Storage
// calls made while serving it run under its signal (shared/async/request-scope.ts), so they stop then.
// Fastify's own request.signal and handlerTimeout are not used: both end when Node closes the request
// stream after reading the body, so every POST would be cancelled, or never time out.
import type { FastifyInstance } from 'fastify';
import { RequestEndedError, runInRequest } from '../async/request-scope';
import { AppError } from '../errors/app-error';

export class RequestTimeoutError extends AppError {
  constructor(ms: number) {
    super(
      'REQUEST.TIMEOUT',
      `The request ran past ${ms} ms (REQUEST_TIMEOUT_MS) and was stopped; retry later or narrow it`,
      undefined,
      1,
    );
    this.name = 'RequestTimeoutError';
  }
}

export function installRequestLifetime(fastify: FastifyInstance, timeoutMs: number): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const ended = new AbortController();
    const ceiling = setTimeout(() => {
      if (reply.sent) return;
      const err = new RequestTimeoutError(timeoutMs);
      // Answer first (through the error filter), then stop the work still running for it.
      reply.send(err);
      ended.abort(err);
    }, timeoutMs);
    reply.raw.once('close', () => {
      clearTimeout(ceiling);
      ended.abort(reply.raw.writableFinished ? RequestEndedError.ANSWERED : RequestEndedError.CLIENT_GONE);
    });
    runInRequest({ signal: ended.signal, id: request.id }, done);
  });
}
