import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateEnv } from '../config/env.config';
import { StorageUnavailableError } from '../errors/app-error';
import { S3RawStore } from '../raw/s3-raw-store';
import { bounded, createAwsClients, destroyAwsClients, StorageCallOutcome } from './aws-clients';

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

class GetThingCommand {}

/** A client whose `send` hands back the signal it was given and waits for `answer` (or the signal). */
function fakeClient(answer: (signal: AbortSignal) => Promise<unknown>) {
  const seen: AbortSignal[] = [];
  const client = {
    send: (_command: unknown, options?: { abortSignal?: AbortSignal }) => {
      seen.push(options!.abortSignal!);
      return answer(options!.abortSignal!);
    },
  };
  return { client, seen };
}

const untilAborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, fail) => signal.addEventListener('abort', () => fail(signal.reason as Error)));

describe('bounded (a storage call and its deadline)', () => {
  let outcomes: [string, string, StorageCallOutcome][];
  const observe = (d: string, op: string, outcome: StorageCallOutcome) => outcomes.push([d, op, outcome]);
  beforeEach(() => (outcomes = []));

  it('leaves the signal of a call that answered alone: its deadline never fires afterwards', async () => {
    const { client, seen } = fakeClient(async () => 'out');
    const c = bounded(client, 'sqs', 50, observe);
    await expect(c.send(new GetThingCommand())).resolves.toBe('out');
    await sleep(120);
    expect(seen[0].aborted).toBe(false);
    expect(outcomes).toEqual([['sqs', 'GetThing', 'ok']]);
  });

  it('aborts a call that passes its deadline with a TimeoutError, reported as timeout', async () => {
    const { client } = fakeClient(untilAborted);
    const c = bounded(client, 'dynamodb', 50, observe);
    const started = Date.now();
    await expect(c.send(new GetThingCommand())).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(outcomes).toEqual([['dynamodb', 'GetThing', 'timeout']]);
  });

  it("ends a call when the caller's own signal aborts, reported as cancelled", async () => {
    const { client } = fakeClient(untilAborted);
    const c = bounded(client, 's3', 5000, observe);
    const own = new AbortController();
    const call = c.send(new GetThingCommand(), { abortSignal: own.signal });
    own.abort();
    await expect(call).rejects.toBeDefined();
    expect(outcomes).toEqual([['s3', 'GetThing', 'cancelled']]);
  });
});

describe('a storage call whose body is read after the answer (S3 GetObject over HTTP)', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    // An object whose bytes trickle: one a 50 ms, 12 of them (600 ms in all).
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '12' });
      let n = 0;
      const tick = setInterval(() => {
        res.write('x');
        if (++n === 12) {
          clearInterval(tick);
          res.end();
        }
      }, 50);
      res.on('close', () => clearInterval(tick));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const storeWithin = (ms: number) => {
    const env = validateEnv({
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      STORAGE_TIMEOUT_MS: String(ms),
      PROCESSOR_ENABLED: 'false',
    });
    const clients = createAwsClients(env);
    return { store: new S3RawStore(clients.s3, 'bucket'), close: () => destroyAwsClients(clients) };
  };

  it('ends a body that trickles past the deadline', async () => {
    const { store, close } = storeWithin(200);
    try {
      // Cut off (the whole body would resolve, 600 ms in), and reported as storage unavailable.
      await expect(store.get('k')).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      close();
    }
  });

  it('reads the whole body when it comes within the deadline', async () => {
    const { store, close } = storeWithin(3000);
    try {
      await expect(store.get('k')).resolves.toEqual(Buffer.from('x'.repeat(12)));
    } finally {
      close();
    }
  });
});
