// Serves the investigator console (web/, built by Vite into dist/console) at /console. The assets are
// public and hold no data: every page calls the public API with the key the user enters in the page.
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CONSOLE_PREFIX = '/console/';

/** Only this origin, no inline script, no framing: the console works offline and leaks nothing. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where the built console lives: dist/console beside dist/src when running the build, and the same
 * folder seen from the sources when tests run the TypeScript directly.
 */
export function consoleDir(): string | undefined {
  const candidates = [join(__dirname, '..', '..', 'console'), join(__dirname, '..', '..', 'dist', 'console')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

function securityHeaders(reply: FastifyReply, path: string): void {
  void reply.header('content-security-policy', CONSOLE_CSP);
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('referrer-policy', 'no-referrer');
  // Vite names assets by content hash, so they never change; the page itself must be revalidated.
  const hashed = /[\\/]assets[\\/]/.test(path);
  void reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
}

export function serveConsole(app: NestFastifyApplication, dir = consoleDir()): void {
  const fastify = app.getHttpAdapter().getInstance();
  if (!dir) {
    fastify.get('/console*', (_request, reply) =>
      reply
        .status(404)
        .type('text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build` (it writes dist/console).\n'),
    );
    return;
  }
  void app.register(fastifyStatic, {
    root: dir,
    prefix: CONSOLE_PREFIX,
    // The page itself is answered below: with ignoreTrailingSlash, /console and /console/ are one route.
    index: false,
    redirect: false,
    cacheControl: false,
    setHeaders: securityHeaders,
  });
  fastify.get('/console', (_request, reply) => {
    securityHeaders(reply, 'index.html');
    return reply.sendFile('index.html');
  });
}
