// Timeouts that fire: each emulator is frozen in turn (SIGSTOP: connections are accepted by the
// kernel but never answered, the way a hung dependency behaves) and the app must answer 503
// STORAGE.UNAVAILABLE with Retry-After within STORAGE_TIMEOUT_MS plus a margin, readiness must turn
// 503 and come back, and the producer's retry must store the event exactly once. This file runs its
// own emulators so freezing them disturbs no other suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withOverrides } from '../../src/shared/config/env.config';
import { StorageUnavailableError } from '../../src/shared/errors/app-error';
import { EmulatorProcess, startDynamo, startS3, startSqs } from '../../src/shared/local/local-stack';
import { QueuePublisher } from '../../src/shared/queue/queue-publisher';
import { RawStore } from '../../src/shared/raw/raw-store';
import { aroundNow, wireEvent } from '../support/factories';
import { pollUntil } from '../support/replay-messages';
import { auth, restartTestApp, TestApp, testStorage } from '../support/test-app';

const STORAGE_TIMEOUT_MS = 2000;
/** Generous: this checks that the deadline fires at all, not how fast the machine is. */
const MARGIN_MS = 2000;

type Dependency = 's3' | 'dynamodb' | 'sqs';

describe('storage calls under a frozen dependency', () => {
  let dir: string;
  const emulators = {} as Record<Dependency, EmulatorProcess>;
  let t: TestApp;

  /** Runs `body` with the emulator stopped by SIGSTOP; always resumes it. */
  async function frozen<T>(dependency: Dependency, body: () => Promise<T>): Promise<T> {
    const pid = emulators[dependency].pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      return await body();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }

  /**
   * Starts an emulator and checks that its port is answered by that very process: frozen, it must
   * stay silent. (A free port can be taken by another run on this machine before the emulator binds.)
   */
  async function ownEmulator(
    start: () => Promise<{ proc: EmulatorProcess; port: number }>,
  ): Promise<{ proc: EmulatorProcess; port: number }> {
    for (let attempt = 1; ; attempt++) {
      const started = await start();
      process.kill(started.proc.pid!, 'SIGSTOP');
      const answered = await fetch(`http://127.0.0.1:${started.port}/`, {
        method: 'POST',
        signal: AbortSignal.timeout(500),
      }).then(
        () => true,
        () => false,
      );
      process.kill(started.proc.pid!, 'SIGCONT');
      if (!answered) return started;
      await started.proc.stop();
      if (attempt === 3) throw new Error(`port ${started.port} is answered by another process`);
    }
  }

  const timed = async <T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> => {
    const started = Date.now();
    const value = await run();
    return { value, ms: Date.now() - started };
  };

  const ingest = (body: object) => t.http().post('/ingest').set(auth('producer')).send(body);
  const ready = () => t.http().get('/health/ready');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipescope-freeze-'));
    const [dynamo, s3, sqs] = await Promise.all([
      ownEmulator(() => startDynamo(undefined)),
      ownEmulator(() => startS3(join(dir, 's3'))),
      ownEmulator(() => startSqs('us-east-1')),
    ]);
    Object.assign(emulators, { dynamodb: dynamo.proc, s3: s3.proc, sqs: sqs.proc });
    // The resources are created first under a generous deadline: the emulators were just started, and
    // a cold DynamoDB Local on a loaded machine (this file often runs first in a full run) can take
    // longer than STORAGE_TIMEOUT_MS to create a table. The app then boots on them with the short one.
    const storage = await testStorage('freeze', {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynamo.port}`,
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${s3.port}`,
      AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${sqs.port}`,
      STORAGE_TIMEOUT_MS: '20000',
    });
    t = await restartTestApp(
      withOverrides(storage, {
        STORAGE_TIMEOUT_MS: String(STORAGE_TIMEOUT_MS),
        HEALTH_TIMEOUT_MS: '1000',
        PROCESSOR_ENABLED: 'false',
      }),
    );
  });

  afterAll(async () => {
    await t?.close();
    for (const proc of Object.values(emulators)) {
      if (proc.pid) process.kill(proc.pid, 'SIGCONT');
    }
    await Promise.all(Object.values(emulators).map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['s3', 'dynamodb'] as const)(
    'answers 503 within the storage timeout while %s is frozen, then stores the retry once',
    async (dependency) => {
      const source = `frozen-${dependency}-${Date.now()}`;
      const event = wireEvent({ source });
      const { down, notReady } = await frozen(dependency, async () => ({
        down: await timed(() => ingest(event)),
        notReady: await ready(),
      }));

      expect(down.value.status).toBe(503);
      expect(down.value.body.error).toMatchObject({ code: 'STORAGE.UNAVAILABLE', details: { dependency } });
      expect(down.value.headers['retry-after']).toBe('1');
      expect(down.ms).toBeLessThan(STORAGE_TIMEOUT_MS + MARGIN_MS);
      expect(notReady.status).toBe(503);
      expect(notReady.body.error.details.error[dependency].status).toBe('down');

      const back = await pollUntil(ready, (r) => r.status === 200);
      expect(back.status).toBe(200);
      // The first write may have landed after all (the frozen store caught up): then it is a duplicate.
      const retry = await ingest(event);
      expect([200, 201]).toContain(retry.status);
      const objects = await t.app.get(RawStore).list(`raw/source=${source}/`);
      expect(objects).toHaveLength(1);
      expect(objects[0]).toContain(retry.body.event_id);
      const listed = await t
        .http()
        .get('/events')
        .query({ source, ...aroundNow() })
        .set(auth('investigator'))
        .expect(200);
      expect(listed.body.items.map((e: { event_id: string }) => e.event_id)).toEqual([retry.body.event_id]);
    },
  );

  it('answers a read with 503 within the storage timeout while DynamoDB is frozen', async () => {
    const stored = await ingest(wireEvent({ source: 'frozen-read' })).expect(201);
    const down = await frozen('dynamodb', () =>
      timed(() => t.http().get(`/events/${stored.body.event_id}`).set(auth('investigator'))),
    );
    expect(down.value.status).toBe(503);
    expect(down.value.body.error).toMatchObject({
      code: 'STORAGE.UNAVAILABLE',
      details: { dependency: 'dynamodb' },
    });
    expect(down.ms).toBeLessThan(STORAGE_TIMEOUT_MS + MARGIN_MS);
  });

  it('gives up a queue call within the storage timeout while SQS is frozen; readiness turns 503 and back', async () => {
    const queue = t.app.get(QueuePublisher);
    await queue.sendBatch(t.env.PIPESCOPE_QUEUE, [{ id: '0', body: 'warm-up' }]);
    const { sent, notReady } = await frozen('sqs', async () => ({
      sent: await timed(() =>
        queue.sendBatch(t.env.PIPESCOPE_QUEUE, [{ id: '0', body: 'frozen' }]).then(
          () => undefined,
          (err: unknown) => err,
        ),
      ),
      notReady: await ready(),
    }));
    expect(sent.value).toBeInstanceOf(StorageUnavailableError);
    expect(sent.value).toMatchObject({ dependency: 'sqs', operation: 'SendMessageBatch' });
    expect(sent.ms).toBeLessThan(STORAGE_TIMEOUT_MS + MARGIN_MS);
    expect(notReady.status).toBe(503);
    expect(notReady.body.error.details.error.sqs.status).toBe('down');
    expect((await pollUntil(ready, (r) => r.status === 200)).status).toBe(200);
  });
});
