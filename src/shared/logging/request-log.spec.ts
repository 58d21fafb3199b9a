import Fastify, { FastifyInstance } from 'fastify';
import { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { detached } from '../async/request-scope';
import { rememberKeyId } from '../auth/caller';
import { installRequestLifetime } from '../http/request-lifetime';
import { installRequestLog, requestBindings } from './request-log';

type Line = Record<string, unknown>;

describe('the request log', () => {
  let app: FastifyInstance;
  let lines: Line[];

  beforeEach(async () => {
    lines = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const text of chunk.toString('utf8').split('\n').filter(Boolean))
          lines.push(JSON.parse(text) as Line);
        done();
      },
    });
    const log = pino({ level: 'info', mixin: requestBindings }, sink);
    app = Fastify({ genReqId: (req) => String(req.headers['x-request-id'] ?? 'generated') });
    installRequestLifetime(app, 60_000);
    installRequestLog(app, log);
    app.addHook('onRequest', (req, _reply, done) => {
      if (req.headers['x-key-id']) rememberKeyId(req.raw, String(req.headers['x-key-id']));
      done();
    });
    app.get('/stats', async () => {
      log.info({ op: 'inside' }, 'work for the request');
      detached(() => log.info({ op: 'detached' }, 'work for nobody'));
      return { ok: true };
    });
    app.get('/boom', async (_req, reply) => reply.code(503).send({ error: 'down' }));
    app.get('/health/live', async () => ({ status: 'ok' }));
    app.get('/slow', () => new Promise(() => undefined));
    app.post('/slow', () => new Promise(() => undefined));
  });

  afterEach(() => app.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: path, headers });

  it('closes each request with one line: id, method, redacted URL, status, time and key id', async () => {
    await get('/stats?source=a&api_key=s3cret', { 'x-request-id': 'r-1', 'x-key-id': 'investigator-1' });
    const closing = lines.filter((l) => l.msg === 'request completed');
    expect(closing).toEqual([
      expect.objectContaining({
        level: 30,
        request_id: 'r-1',
        req: { method: 'GET', url: '/stats?source=a&api_key=[redacted]' },
        res: { statusCode: 200 },
        key_id: 'investigator-1',
      }),
    ]);
    expect(typeof closing[0].responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });

  it('gives every line written while serving the request its id, and detached work none', async () => {
    await get('/stats', { 'x-request-id': 'r-2' });
    expect(lines.find((l) => l.op === 'inside')).toMatchObject({ request_id: 'r-2' });
    const other = lines.find((l) => l.op === 'detached');
    expect(other).toBeDefined();
    expect(other).not.toHaveProperty('request_id');
  });

  it('logs a 5xx answer at error level', async () => {
    await get('/boom', { 'x-request-id': 'r-3' });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'request errored',
        request_id: 'r-3',
        res: { statusCode: 503 },
      }),
    ]);
  });

  it('writes no line for health probes', async () => {
    await get('/health/live');
    expect(lines).toEqual([]);
  });

  it.each([
    ['GET', undefined],
    // Its body read in full before the client leaves: Fastify's onRequestAbort never sees this one.
    ['POST', '{"a":1}'],
  ])('writes one line when the client leaves a %s before its answer', async (method, body) => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const headers: Record<string, string | number> = { 'x-request-id': `r-${method}` };
    if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': body.length });
    const req = request({ port, host: '127.0.0.1', path: '/slow', method, headers });
    req.on('error', () => undefined);
    req.end(body);
    await new Promise((resolve) => setTimeout(resolve, 100));
    req.destroy();
    for (let i = 0; i < 50 && !lines.some((l) => l.msg === 'request aborted'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request aborted',
        request_id: `r-${method}`,
        req: { method, url: '/slow' },
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('res');
    expect(typeof lines[0].responseTime).toBe('number');
  });
});
