// JSON logs (pino) with the request id on every line of a request; credentials are redacted, in headers
// and in the query string; background work logs in a LogContext of its own. One pino logger per
// process (as nestjs-pino keeps one): the entry point's own lines (bootLogger), written before the app
// exists and after, and the app's share it, so every line is JSON and the lines keep their order.
import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type Logger, type LoggerOptions } from 'pino';
import { Env } from '../config/env.config';
import { LogContext } from './log-context';
import { redactUrl } from './redact-url';
import { requestIdOf } from './request-id';
import { keyIdOf } from '../auth/caller';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.apiKey',
  '*.api_key',
  '*.secretAccessKey',
  '*.API_KEYS',
];

let root: Logger | undefined;

/** The process's logger, created on first use from the config it is first given. */
export function rootLogger(env: Env): Logger {
  root ??= pino(pinoOptions(env));
  return root;
}

function pinoOptions(env: Env): LoggerOptions {
  return {
    level: env.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'pipescope' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  };
}

/** Lines of an entry point (start-up, emulators, shutdown). */
export function bootLogger(env: Env): Logger {
  return rootLogger(env).child({ context: 'boot' });
}

@Global()
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [Env],
      useFactory: (env: Env) => ({
        pinoHttp: {
          logger: rootLogger(env),
          genReqId: (req) => requestIdOf(req),
          customAttributeKeys: { reqId: 'request_id' },
          // Every line logged inside a request carries its request_id (the request itself only on the
          // line that closes it); without this the id reached no line at all.
          quietReqLogger: true,
          // The line closing a request names the key that made it (its non-secret id).
          customProps: (req) => {
            const keyId = keyIdOf(req);
            return keyId ? { key_id: keyId } : {};
          },
          // Health probes every few seconds would drown the log.
          autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({
              method: req.method,
              // A key sent in the query string (by mistake: keys go in headers) never reaches the log.
              url: redactUrl(req.url),
            }),
          },
        },
      }),
    }),
  ],
  providers: [LogContext],
  exports: [LoggerModule, LogContext],
})
export class LoggingModule {}
