// The real entry point as a user runs it: config refusal, local-mode boot, restart with data (objects,
// items, queued messages) kept, and no emulator left behind after SIGTERM or a crash (SIGKILL).
import { S3Client, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/shared/local/local-stack';
import { listeningAddresses, LOOPBACK_ADDRESSES } from '../support/listening';
import { cleanEnv, exited, ReadyLine, waitReady } from '../support/process';

const MAIN = join(__dirname, '../../dist/src/main.js');

interface Running {
  child: ChildProcess;
  ready: ReadyLine & { emulators: NonNullable<ReadyLine['emulators']>; listening: string };
  port: number;
  /** Everything the process printed on stdout up to its ready line. */
  stdout: string;
}

function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const pairs = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const walk = (p: number) => pairs.filter(([, pp]) => pp === p).forEach(([c]) => (found.push(c), walk(c)));
  walk(pid);
  return found;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

/** Boots the entry point; without API_KEYS (auth off), and HOST only when `host` is given. */
async function boot(dataDir: string, host?: string): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: cleanEnv({
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...(host ? { HOST: host } : {}),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { ready, stdout } = await waitReady(child);
  return { child, ready: ready as Running['ready'], port, stdout };
}

describe('the pipescope process', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pipescope-proc-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    [{ PORT: 'abc' }, /PORT="abc"/],
    [{ PIPESCOPE_MODE: 'aws' }, /API_KEYS: required/],
    [{ API_KEYS: 'superuser:0123456789abcdef0123' }, /API_KEYS entry 1/],
  ])('refuses to start on bad config %o, naming the variable', async (bad, message) => {
    const child = spawn(process.execPath, [MAIN], { env: cleanEnv(bad), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    expect(await exited(child)).toBe(78);
    expect(err).toMatch(/refusing to start/);
    expect(err).toMatch(message);
  });

  it('says that Java is needed, and how to install it, when it is missing', async () => {
    // A PATH holding only node: no java, no setpriv.
    const bin = mkdtempSync(join(tmpdir(), 'pipescope-nojava-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: bin, HOME: process.env.HOME, DATA_DIR: join(dataDir, 'nojava') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    expect(await exited(child)).toBe(1);
    expect(err).toMatch(/needs Java 17 or newer/);
    expect(err).toMatch(/apt-get install openjdk-17-jre-headless/);
    rmSync(bin, { recursive: true, force: true });
  });

  it('boots in local mode, keeps data across a restart, and leaves no emulator behind', async () => {
    const first = await boot(dataDir);
    const ready = await fetch(`http://127.0.0.1:${first.port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(first.ready.startup_ms).toBeGreaterThan(0);

    // Auth is off and HOST unset: the API and every emulator listen on loopback only, and it says so.
    const listen = first.stdout.split('\n').find((l) => l.includes('"op":"listen"'));
    expect(JSON.parse(listen!)).toMatchObject({
      level: 40,
      host: '127.0.0.1',
      auth: 'off',
      host_from: 'default',
    });
    expect(first.ready.listening).toBe('127.0.0.1');
    const ports = [first.port, ...Object.values(first.ready.emulators).map((u) => Number(new URL(u).port))];
    for (const port of ports) {
      const addresses = listeningAddresses(port);
      expect(addresses.length).toBeGreaterThan(0);
      for (const address of addresses) expect(LOOPBACK_ADDRESSES).toContain(address);
    }

    // A page cursor, signed with the key local mode keeps in the data folder.
    const entity = `kept-${Date.now()}`;
    const events = [1, 2, 3].map((n) => ({
      source: 'proc',
      type: 't',
      entity_id: entity,
      occurred_at: `2026-11-25T10:00:0${n}Z`,
      payload: { n },
    }));
    const ingested = await fetch(`http://127.0.0.1:${first.port}/ingest/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    expect(ingested.status).toBe(200);
    const page = await fetch(`http://127.0.0.1:${first.port}/events?entity_id=${entity}&limit=1`);
    const { next_cursor: cursor } = (await page.json()) as { next_cursor: string };
    expect(statSync(join(dataDir, 'cursor-secret')).mode & 0o777).toBe(0o600);
    const notJson = first.stdout
      .split('\n')
      .filter(Boolean)
      .filter((line) => {
        try {
          JSON.parse(line);
          return false;
        } catch {
          return true;
        }
      });
    // Nest's own start-up lines included: every line is JSON from the first.
    expect(notJson).toEqual([]);

    // Write through the emulators directly, as any AWS client would.
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: first.ready.emulators.s3,
      forcePathStyle: true,
      credentials,
    });
    await s3.send(new PutObjectCommand({ Bucket: 'pipescope-local', Key: 'probe/kept.txt', Body: 'kept' }));
    const db = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: first.ready.emulators.dynamodb,
      credentials,
    });
    await db.send(
      new PutItemCommand({ TableName: 'pipescope', Item: { pk: { S: 'PROBE' }, sk: { S: 'kept' } } }),
    );
    // A queue of its own: the app's consumer would take messages from the replay queue.
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: first.ready.emulators.sqs, credentials });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'probe-kept' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'kept' }));
    s3.destroy();
    db.destroy();
    sqs.destroy();

    const children = descendants(first.child.pid!);
    expect(children.length).toBeGreaterThanOrEqual(3);
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(await waitGone(children, 10_000)).toEqual([]);

    // HOST set explicitly is honoured with auth off too, and said so.
    const second = await boot(dataDir, '::1');
    try {
      expect(second.ready.listening).toBe('::1');
      // The app's own sockets: another process may hold the same port number on 127.0.0.1.
      expect(listeningAddresses(second.port, second.child.pid)).toEqual(['::1']);
      const listened = second.stdout.split('\n').find((l) => l.includes('"op":"listen"'));
      expect(JSON.parse(listened!)).toMatchObject({ host: '::1', auth: 'off', host_from: 'HOST' });
      // The cursor of the first run still pages after the restart.
      const next = await fetch(
        `http://[::1]:${second.port}/events?entity_id=${entity}&limit=1&cursor=${encodeURIComponent(cursor)}`,
      );
      expect(next.status).toBe(200);
      expect(((await next.json()) as { items: { occurred_at: string }[] }).items[0].occurred_at).toBe(
        '2026-11-25T10:00:02.000Z',
      );

      const s3b = new S3Client({
        region: 'us-east-1',
        endpoint: second.ready.emulators.s3,
        forcePathStyle: true,
        credentials,
      });
      const obj = await s3b.send(new GetObjectCommand({ Bucket: 'pipescope-local', Key: 'probe/kept.txt' }));
      expect(await obj.Body!.transformToString()).toBe('kept');
      const dbb = new DynamoDBClient({
        region: 'us-east-1',
        endpoint: second.ready.emulators.dynamodb,
        credentials,
      });
      const item = await dbb.send(
        new GetItemCommand({ TableName: 'pipescope', Key: { pk: { S: 'PROBE' }, sk: { S: 'kept' } } }),
      );
      expect(item.Item?.sk.S).toBe('kept');
      s3b.destroy();
      dbb.destroy();
      const sqsb = new SQSClient({ region: 'us-east-1', endpoint: second.ready.emulators.sqs, credentials });
      const received = await sqsb.send(
        new ReceiveMessageCommand({ QueueUrl: QueueUrl!, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
      );
      expect(received.Messages?.map((m) => m.Body)).toEqual(['kept']);
      sqsb.destroy();
    } finally {
      // A crash: SIGKILL gives the app no chance to clean up; the emulators must still go.
      const orphans = descendants(second.child.pid!);
      second.child.kill('SIGKILL');
      await exited(second.child);
      expect(await waitGone(orphans, 10_000)).toEqual([]);
    }
  });
});
