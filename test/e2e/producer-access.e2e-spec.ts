// Producers scoped to sources, keys rotated, refused before the body is read, and requests signed
// with a source's secret instead of a bearer key.
import { Logger } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureHeader } from '../../src/shared/auth/request-signing';
import { EventIndex } from '../../src/shared/events/event-index';
import { RawStore } from '../../src/shared/raw/raw-store';
import { RejectedStore } from '../../src/shared/rejected/rejected-store';
import { aroundNow, wireEvent } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

const ORDERS_KEY = 'orders-key-0123456789abcdef';
const OLD_KEY = 'billing-old-0123456789abcdef';
const NEW_KEY = 'billing-new-0123456789abcdef';
const READER_KEY = 'reader-key-0123456789abcdef';
const SECRET = 'edge-secret-0123456789abcdef0123456789';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('producer access', () => {
  let t: TestApp;
  let port: number;
  const post = (path: string, key: string, body: unknown) =>
    t.http().post(path).set(bearer(key)).set('content-type', 'application/json').send(JSON.stringify(body));

  beforeAll(async () => {
    t = await startTestApp('access', {
      API_KEYS: [
        `orders=producer:${ORDERS_KEY}:orders-svc|orders-eu-*`,
        `billing-2025=producer:${OLD_KEY}:billing`,
        `billing-2026=producer:${NEW_KEY}:billing`,
        `reader=investigator:${READER_KEY}`,
      ].join(','),
      SOURCE_SIGNING_SECRETS: `edge-device:${SECRET}`,
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  it('lets a scoped key write its own sources: exact names and prefixes', async () => {
    await post('/ingest', ORDERS_KEY, wireEvent({ source: 'orders-svc' })).expect(201);
    await post('/ingest', ORDERS_KEY, wireEvent({ source: 'orders-eu-west' })).expect(201);
  });

  it('answers 403 AUTH.SOURCE_FORBIDDEN for another source, logs the key id, and stores nothing', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const event = wireEvent({ source: 'billing', idempotency_key: `steal-${Date.now()}` });
      const res = await post('/ingest', ORDERS_KEY, event).expect(403);
      expect(res.body.error).toEqual({
        code: 'AUTH.SOURCE_FORBIDDEN',
        message: 'Key orders may not write source "billing"; it may write orders-svc|orders-eu-*',
        details: { key_id: 'orders', source: 'billing' },
      });
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({
          op: 'auth',
          code: 'AUTH.SOURCE_FORBIDDEN',
          key_id: 'orders',
          source: 'billing',
        }),
        'request refused',
      );
      // The idempotency key was not claimed: billing's own producer still owns it.
      const mine = await post('/ingest', NEW_KEY, event).expect(201);
      expect(await t.app.get(EventIndex).getEvent(mine.body.event_id)).toMatchObject({
        key_id: 'billing-2026',
      });
      const rejected = await t.app.get(RejectedStore).list('billing', aroundNow(), { limit: 100 });
      expect(rejected.items).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses a whole batch when any item names a source the key may not write', async () => {
    const raw = t.app.get(RawStore);
    const before = await raw.list('raw/batches/');
    const items = [
      wireEvent({ source: 'orders-svc' }),
      { ...wireEvent({ source: 'billing' }), type: 'bad type' },
    ];
    const res = await post('/ingest/batch', ORDERS_KEY, { events: items }).expect(403);
    expect(res.body.error.code).toBe('AUTH.SOURCE_FORBIDDEN');
    expect(await raw.list('raw/batches/')).toEqual(before);
    expect((await t.app.get(RejectedStore).list('billing', aroundNow(), { limit: 100 })).items).toEqual([]);
  });

  it('accepts the old and the new key of a role at once (rotation), each under its own id', async () => {
    const a = await post('/ingest', OLD_KEY, wireEvent({ source: 'billing' })).expect(201);
    const b = await post('/ingest', NEW_KEY, wireEvent({ source: 'billing' })).expect(201);
    const index = t.app.get(EventIndex);
    expect((await index.getEvent(a.body.event_id))?.key_id).toBe('billing-2025');
    expect((await index.getEvent(b.body.event_id))?.key_id).toBe('billing-2026');
  });

  /** Sends headers and a few body bytes of a body announced as 1 MB, and never the rest. */
  const unfinished = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: { error: { code: string } } }>((done, fail) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json', 'content-length': '1000000', ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => {
            done({ status: res.statusCode!, body: JSON.parse(text) as never });
            req.destroy();
          });
        },
      );
      req.on('error', (err) => (req.destroyed ? undefined : fail(err)));
      req.write('{"events": [');
    });

  it('answers 401 and 403 before the body is read', async () => {
    const missing = await unfinished('/ingest/batch', {});
    expect(missing).toMatchObject({ status: 401, body: { error: { code: 'AUTH.MISSING_KEY' } } });
    const wrong = await unfinished('/ingest/batch', bearer('not-a-key-0123456789abc'));
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'AUTH.INVALID_KEY' } } });
    const role = await unfinished('/ingest/batch', bearer(READER_KEY));
    expect(role).toMatchObject({ status: 403, body: { error: { code: 'AUTH.FORBIDDEN' } } });
  });

  describe('signed requests', () => {
    const signed = (body: string, header: string, path = '/ingest') =>
      t
        .http()
        .post(path)
        .set('content-type', 'application/json')
        .set('x-pipescope-signature', header)
        .send(body);

    it('accepts a request signed with its source secret, as that source only', async () => {
      const body = JSON.stringify(wireEvent({ source: 'edge-device' }));
      const res = await signed(body, signatureHeader('edge-device', SECRET, Buffer.from(body))).expect(201);
      expect(await t.app.get(EventIndex).getEvent(res.body.event_id)).toMatchObject({
        key_id: 'signed:edge-device',
      });
      const other = JSON.stringify(wireEvent({ source: 'orders-svc' }));
      const forbidden = await signed(other, signatureHeader('edge-device', SECRET, Buffer.from(other)));
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.code).toBe('AUTH.SOURCE_FORBIDDEN');
    });

    it('refuses a wrong MAC, an edited body, an old timestamp, an unknown source and a malformed header', async () => {
      const body = JSON.stringify(wireEvent({ source: 'edge-device' }));
      const good = signatureHeader('edge-device', SECRET, Buffer.from(body));
      const cases: [string, string, RegExp][] = [
        [body, signatureHeader('edge-device', 'x'.repeat(40), Buffer.from(body)), /does not match/],
        [body.replace('"amount":', '"amount": '), good, /does not match/],
        [body, signatureHeader('edge-device', SECRET, Buffer.from(body), Date.now() - 301_000), /clock/],
        [body, signatureHeader('nobody', SECRET, Buffer.from(body)), /no signing secret/],
        [body, 't=1,v1=00', /s= must name the source/],
      ];
      for (const [sent, header, message] of cases) {
        const res = await signed(sent, header).expect(401);
        expect(res.body.error).toMatchObject({ code: 'AUTH.INVALID_SIGNATURE', message });
      }
    });

    it('gives a signed request no other role than producer', async () => {
      const res = await t
        .http()
        .get('/events?source=edge-device')
        .set('x-pipescope-signature', signatureHeader('edge-device', SECRET, Buffer.alloc(0)))
        .expect(403);
      expect(res.body.error.code).toBe('AUTH.FORBIDDEN');
    });
  });
});
