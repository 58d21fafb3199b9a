import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorProcess, startS3 } from '../../src/shared/local/local-stack';
import { startTestApp, TestApp } from '../support/test-app';

describe('health', () => {
  // This file runs its own S3 emulator so it can stop it without disturbing other suites.
  let s3: EmulatorProcess;
  let dir: string;
  let t: TestApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipescope-health-'));
    const started = await startS3(dir);
    s3 = started.proc;
    t = await startTestApp('health', {
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${started.port}`,
      HEALTH_TIMEOUT_MS: '1000',
    });
  });

  afterAll(async () => {
    await t?.close();
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers live without a key', async () => {
    const res = await t.http().get('/health/live').expect(200);
    expect(res.body).toMatchObject({ status: 'ok' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers ready when S3, DynamoDB and SQS answer', async () => {
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body.info).toMatchObject({
      s3: { status: 'up' },
      dynamodb: { status: 'up' },
      sqs: { status: 'up' },
    });
  });

  it('echoes a caller request id', async () => {
    const res = await t.http().get('/health/live').set('x-request-id', 'trace-abc-123').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
  });

  it('turns 503 naming S3 when the S3 emulator is stopped', async () => {
    await s3.stop();
    const res = await t.http().get('/health/ready').set('x-request-id', 'ready-check-1').expect(503);
    expect(res.body.error.code).toBe('HEALTH.NOT_READY');
    expect(res.body.error.message).toBe('Not ready: s3 unavailable');
    expect(res.body.error.details.error.s3.status).toBe('down');
    expect(res.body.error.details.info).toMatchObject({ dynamodb: { status: 'up' }, sqs: { status: 'up' } });
    expect(res.body.request_id).toBe('ready-check-1');
    // Liveness does not depend on storage.
    await t.http().get('/health/live').expect(200);
  });
});
