// Builds the HTTP application the same way for `npm start`, the tests and the benchmark.
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule, AppOptions } from './app.module';
import { AuthHooks } from './shared/auth/auth.hooks';
import { serveConsole } from './console/console.static';
import { Env } from './shared/config/env.config';
import { HttpMetrics } from './shared/metrics/http.metrics';
import { installJsonBodyParser } from './shared/http/json-body';
import { installRequestLifetime } from './shared/http/request-lifetime';
import { serveOpenApi } from './shared/http/openapi';
import { AppValidationPipe } from './shared/http/validation.pipe';
import { requestIdOf } from './shared/logging/request-id';
import { installRequestLog } from './shared/logging/request-log';
import { rootLogger } from './shared/logging/logging.module';
import type { IncomingMessage } from 'node:http';

/**
 * Longest decoded path segment the router matches. find-my-way's default of 100 would turn a valid
 * 256-character entity_id (up to 512 UTF-16 units) into a 414; aggregate keys add `@YYYY-MM-DDTHH`.
 */
export const MAX_PARAM_LENGTH = 1024;

export interface RouteSummary {
  method: string;
  url: string;
}

const routeLists = new WeakMap<object, RouteSummary[]>();

/** Every route the app's router holds (HEAD routes Fastify adds for GET included), as registered. */
export function registeredRoutes(app: NestFastifyApplication): RouteSummary[] {
  return [...(routeLists.get(app.getHttpAdapter().getInstance()) ?? [])];
}

/** Per-route body limits; everything else gets the smallest. */
export function bodyLimitFor(url: string, env: Env): number {
  if (url === '/ingest/batch') return env.INGEST_MAX_BATCH_BYTES;
  if (url === '/ingest') return env.INGEST_MAX_EVENT_BYTES;
  return 1_048_576;
}

export async function createApp(env: Env, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: (req: IncomingMessage) => requestIdOf(req),
    bodyLimit: Math.max(env.INGEST_MAX_BATCH_BYTES, env.INGEST_MAX_EVENT_BYTES, 1_048_576),
    trustProxy: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
  });
  const fastify = adapter.getInstance();
  const routes: RouteSummary[] = [];
  routeLists.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    route.bodyLimit ??= bodyLimitFor(route.url, env);
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  installRequestLifetime(fastify, env.REQUEST_TIMEOUT_MS);
  installJsonBodyParser(fastify, (url) => url.startsWith('/ingest'));
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(env, options), adapter, {
    bufferLogs: true,
    // Our own JSON parser (shared/http/json-body.ts) replaces the one Nest would register.
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  // Before any route is registered (at init), so every route gets them.
  app.get(AuthHooks).install(fastify);
  const http = app.get(HttpMetrics);
  fastify.addHook('onResponse', (request, reply, done) => {
    http.requestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime,
    );
    done();
  });
  installRequestLog(fastify, rootLogger(env));
  app.useGlobalPipes(new AppValidationPipe());
  serveOpenApi(app);
  serveConsole(app);
  return app;
}
