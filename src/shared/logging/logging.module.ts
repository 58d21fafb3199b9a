// JSON logs (pino) with the request id on every line of a request; credentials are redacted, in headers
// and in the query string; background work logs in a LogContext of its own. One pino logger per
// process (as nestjs-pino keeps one): the entry point's own lines (bootLogger), written before the app
// exists and after, and the app's share it, so every line is JSON and the lines keep their order.
// A line learns its request from the request scope (shared/async/request-scope.ts) through pino's
// mixin, so a request costs no child logger; the line that closes a request is written by a Fastify
// hook (request-log.ts), not by pino-http run as Nest middleware: that path cost about 0.25 ms of CPU
// per request, a fifth of all the app adds to an entity timeline's storage read.
import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type Logger, type LoggerOptions } from 'pino';
import { Env } from '../config/env.config';
import { LogContext } from './log-context';
import { requestBindings } from './request-log';

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
    mixin: requestBindings,
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
        // The process's logger, for nestjs-pino's Logger and PinoLogger. No middleware: a request's
        // lines take its id from the request scope, and request-log.ts writes the closing line.
        pinoHttp: { logger: rootLogger(env) },
        forRoutes: [],
      }),
    }),
  ],
  providers: [LogContext],
  exports: [LoggerModule, LogContext],
})
export class LoggingModule {}
