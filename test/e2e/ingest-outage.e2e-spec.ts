// Storage outages: S3 or DynamoDB down answers 503 with Retry-After, never a 2xx; the producer's retry
// after the store comes back succeeds and leaves exactly one raw object.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventIndex } from '../../src/shared/events/event-index';
import { RawStore } from '../../src/shared/raw/raw-store';
import { EmulatorProcess, startDynamo, startS3 } from '../../src/shared/local/local-stack';
import { wireEvent } from '../support/factories';
import { auth, startTestApp, TestApp } from '../support/test-app';

describe('ingest during storage outages', () => {
  let dir: string;
  let s3: { proc: EmulatorProcess; port: number };
  let dynamo: { proc: EmulatorProcess; port: number };
  let t: TestApp;
  let raw: RawStore;

  const post = (body: unknown) =>
    t
      .http()
      .post('/ingest')
      .set(auth('producer'))
      .send(body as object);
  const restartS3 = async () => (s3 = await startS3(join(dir, 's3'), s3.port));
  const restartDynamo = async () => (dynamo = await startDynamo(join(dir, 'dynamodb'), dynamo.port));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipescope-outage-'));
    [s3, dynamo] = await Promise.all([startS3(join(dir, 's3')), startDynamo(join(dir, 'dynamodb'))]);
    t = await startTestApp('outage', {
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${s3.port}`,
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynamo.port}`,
      STORAGE_TIMEOUT_MS: '2000',
    });
    raw = t.app.get(RawStore);
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([s3?.proc.stop(), dynamo?.proc.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while S3 is down, then 201 on retry with one object', async () => {
    const source = `s3-down-${Date.now()}`;
    const e = wireEvent({ source });
    await s3.proc.stop();
    const down = await post(e).expect(503);
    expect(down.body.error).toMatchObject({ code: 'STORAGE.UNAVAILABLE', details: { dependency: 's3' } });
    expect(down.headers['retry-after']).toBe('1');
    await restartS3();
    const ok = await post(e).expect(201);
    expect(await raw.list(`raw/source=${source}/`)).toEqual([ok.body.s3_key]);
    await post(e).expect(200);
  });

  it('answers 503 when DynamoDB is down after the raw write, and the retry claims the same object', async () => {
    const source = `ddb-down-${Date.now()}`;
    const e = wireEvent({ source });
    // An earlier event of the pair: what its payload schema is (none) is cached, so the next request
    // reaches the raw write without reading DynamoDB (a first lookup would answer 503 before any write).
    const earlier = await post(wireEvent({ source })).expect(201);
    await dynamo.proc.stop();
    const down = await post(e).expect(503);
    expect(down.body.error).toMatchObject({
      code: 'STORAGE.UNAVAILABLE',
      details: { dependency: 'dynamodb' },
    });
    expect(down.headers['retry-after']).toBe('1');
    // The raw object is already there: the crash-between-writes case the design heals by retry.
    expect(await raw.list(`raw/source=${source}/`)).toHaveLength(2);
    await restartDynamo();
    const ok = await post(e).expect(201);
    expect((await raw.list(`raw/source=${source}/`)).sort()).toEqual(
      [earlier.body.s3_key, ok.body.s3_key].sort(),
    );
    expect(await t.app.get(EventIndex).getEvent(ok.body.event_id)).toMatchObject({ s3_key: ok.body.s3_key });
  });

  it('marks batch items failed (safe to retry) while S3 is down, without failing the rejected ones', async () => {
    const source = `batch-down-${Date.now()}`;
    const events = [wireEvent({ source }), wireEvent({ source }), { source, bad: true }];
    await s3.proc.stop();
    const res = await t.http().post('/ingest/batch').set(auth('producer')).send({ events }).expect(200);
    expect(res.body).toMatchObject({ accepted: 0, failed: 2, rejected: 1 });
    expect(res.body.results[0].error.code).toBe('STORAGE.UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('1');
    await restartS3();
    const retry = await t.http().post('/ingest/batch').set(auth('producer')).send({ events }).expect(200);
    expect(retry.body).toMatchObject({ accepted: 2, failed: 0, rejected: 1 });
  });
});
