// The one line that closes each HTTP request: method, URL (credentials in the query string redacted),
// status, time taken and the key that made it, under the request's id. 5xx answers log at error
// level; a client that leaves before its answer gets a line of its own. Health probes every few
// seconds would drown the log, so they get none. Written by Fastify hooks, which cost a fraction of
// pino-http run as Nest middleware (logging.module.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { requestIdInScope } from '../async/request-scope';
import { keyIdOf } from '../auth/caller';
import { redactUrl } from './redact-url';

/**
 * pino's mixin: a line written while a request is served carries its request_id. A new object each
 * time, since pino merges the line's own fields into it.
 */
export function requestBindings(): { request_id?: string } {
  const id = requestIdInScope();
  return id === undefined ? {} : { request_id: id };
}

/**
 * The fields of a request's closing line. `answered`: the status went out (not when the client left
 * before its answer).
 */
export function requestLine(request: FastifyRequest, reply: FastifyReply, answered = true): object {
  const keyId = keyIdOf(request.raw);
  return {
    request_id: request.id,
    req: { method: request.method, url: redactUrl(request.url) },
    ...(answered ? { res: { statusCode: reply.statusCode } } : {}),
    // Milliseconds, to a tenth.
    responseTime: Math.round(reply.elapsedTime * 10) / 10,
    ...(keyId ? { key_id: keyId } : {}),
  };
}

const quiet = (request: FastifyRequest): boolean => request.url.startsWith('/health');
const LOGGED = Symbol('pipescope.requestLogged');
type Logged = FastifyRequest & { [LOGGED]?: true };

export function installRequestLog(fastify: FastifyInstance, log: Logger): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    // The response closes unfinished when its client leaves first, body read or not (Fastify's
    // onRequestAbort sees only a client that leaves while its body is still arriving).
    if (!quiet(request)) {
      reply.raw.once('close', () => {
        if (reply.raw.writableFinished || (request as Logged)[LOGGED]) return;
        (request as Logged)[LOGGED] = true;
        log.info(requestLine(request, reply, false), 'request aborted');
      });
    }
    done();
  });
  // Answered requests are closed here, not from the close event: a response injected by
  // light-my-request (tests, the replay bench) never reports writableFinished.
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!quiet(request) && !(request as Logged)[LOGGED]) {
      (request as Logged)[LOGGED] = true;
      if (reply.statusCode >= 500) log.error(requestLine(request, reply), 'request errored');
      else log.info(requestLine(request, reply), 'request completed');
    }
    done();
  });
}
