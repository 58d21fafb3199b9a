// JSON logs (pino) with the request id on every line; credentials are redacted.
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { Env } from '../config/env.config';
import { requestIdOf } from './request-id';

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

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [Env],
      useFactory: (env: Env) => ({
        pinoHttp: {
          level: env.LOG_LEVEL,
          genReqId: (req) => requestIdOf(req),
          customAttributeKeys: { reqId: 'request_id' },
          redact: { paths: REDACT_PATHS, censor: '[redacted]' },
          base: { service: 'pipescope' },
          timestamp: () => `,"time":"${new Date().toISOString()}"`,
          // Health probes every few seconds would drown the log.
          autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({
              method: req.method,
              url: req.url,
            }),
          },
        },
      }),
    }),
  ],
  exports: [LoggerModule],
})
export class LoggingModule {}
