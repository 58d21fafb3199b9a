// The JSON body parser: keeps the exact request bytes (ingest stores them as received), parses with
// prototype-poisoning protection, refuses bodies nested deeper than MAX_BODY_DEPTH (and, outside
// ingest, numbers no double can hold), and hands ingest routes an InvalidJsonBody instead of failing,
// so an unusable submission can still be kept as a rejected row before the 400 goes out.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import sjson from 'secure-json-parse';
import { AppError } from '../errors/app-error';
import { jsonProblem, MAX_BODY_DEPTH } from './json-limits';

export class InvalidJsonBody {
  constructor(
    readonly reason: string,
    /** Parsed, but nested deeper than MAX_BODY_DEPTH. */
    readonly tooDeep = false,
  ) {}
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
      let value: unknown;
      try {
        value = sjson.parse(body.toString('utf8'), undefined, {
          protoAction: 'error',
          constructorAction: 'error',
        });
      } catch (err) {
        const reason = (err as Error).message;
        if (keep) return done(null, new InvalidJsonBody(reason));
        return done(parseError(`Body is not valid JSON: ${reason}`, 'FST_ERR_CTP_INVALID_JSON_BODY'));
      }
      // Ingest names a bad number per event (a batch item fails alone); only depth is the parser's there.
      const problem = jsonProblem(value, MAX_BODY_DEPTH, '', !keep);
      if (problem && keep) return done(null, new InvalidJsonBody(problem.message, true));
      if (problem) {
        return done(
          new AppError('REQUEST.VALIDATION_FAILED', `Invalid request: ${problem.field}: ${problem.message}`, [
            { field: problem.field, message: problem.message },
          ]),
        );
      }
      done(null, value);
    },
  );
}
