// The JSON body parser: keeps the exact request bytes (ingest stores them as received), parses with
// prototype-poisoning protection, and hands ingest routes an InvalidJsonBody instead of failing, so
// an unparseable submission can still be kept as a rejected row before the 400 goes out. Ingest
// routes get JSON.parse's value (own `__proto__` keys are inert there): ingest judges each event's
// bytes itself (src/shared/json/portable-json.ts), so one bad batch item never fails the others.
// Every other route refuses a body nested deeper than MAX_BODY_DEPTH or holding a number no double
// can hold, naming the field, before anything recursive (the class transformer) walks it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import sjson from 'secure-json-parse';
import { AppError } from '../errors/app-error';
import { startsWithBom } from '../json/portable-json';
import { jsonProblem, MAX_BODY_DEPTH } from '../json/json-limits';

export class InvalidJsonBody {
  constructor(readonly reason: string) {}
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
    /** Epoch ms when the request arrived: the event's received_at. */
    receivedAt: number;
  }
}

function parseError(message: string, code: string): Error & { statusCode: number; code: string } {
  return Object.assign(new Error(message), { statusCode: 400, code });
}

export function installJsonBodyParser(
  fastify: FastifyInstance,
  keepsInvalid: (url: string) => boolean,
): void {
  fastify.decorateRequest('receivedAt', 0);
  fastify.addHook('onRequest', (request, _reply, done) => {
    request.receivedAt = Date.now();
    done();
  });
  // JSON only: any other content type is a 415.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      request.rawBody = body;
      const keep = keepsInvalid(request.routeOptions.url ?? '');
      if (body.length === 0) {
        if (keep) return done(null, new InvalidJsonBody('the body is empty'));
        return done(
          parseError(
            'Body cannot be empty when content-type is application/json',
            'FST_ERR_CTP_EMPTY_JSON_BODY',
          ),
        );
      }
      if (keep && startsWithBom(body)) {
        return done(
          null,
          new InvalidJsonBody('the body starts with a byte order mark (U+FEFF); send UTF-8 without one'),
        );
      }
      let value: unknown;
      try {
        const text = body.toString('utf8');
        value = keep
          ? JSON.parse(text)
          : sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
      } catch (err) {
        const reason = (err as Error).message;
        if (keep) return done(null, new InvalidJsonBody(reason));
        return done(parseError(`Body is not valid JSON: ${reason}`, 'FST_ERR_CTP_INVALID_JSON_BODY'));
      }
      const problem = keep ? undefined : jsonProblem(value, MAX_BODY_DEPTH);
      if (problem) {
        return done(
          new AppError('REQUEST.VALIDATION_FAILED', `Invalid request: ${problem.message}`, [
            { field: problem.field, message: problem.message },
          ]),
        );
      }
      done(null, value);
    },
  );
}
