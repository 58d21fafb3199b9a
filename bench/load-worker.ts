// The HTTP load generator of the ingest bench, in a worker thread: producers are other machines, so
// their cost (building requests, the HTTP client, reading answers) stays off the thread the app (and
// the in-process S3 emulator) runs on. The floor needs no such client: its SDK calls are its own cost.
import { parentPort, Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { BenchClient, timed, Timed } from './bench-support';

interface Slice {
  id: number;
  path: string;
  bodies: string[];
  concurrency: number;
  expected: number;
}

/** Sends slices of requests from a worker thread and answers their latencies and duration. */
export class LoadWorker {
  private readonly worker = new Worker(join(__dirname, 'load-worker.js'), { workerData: null });
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (t: Timed) => void; reject: (e: Error) => void }>();

  constructor(baseUrl: string) {
    this.worker.postMessage({ baseUrl });
    this.worker.on('message', (m: { id: number; result?: Timed; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error) w?.reject(new Error(m.error));
      else w?.resolve(m.result!);
    });
  }

  /** POSTs each body to `path` with `concurrency` in flight, expecting status `expected`. */
  send(path: string, bodies: string[], concurrency: number, expected: number): Promise<Timed> {
    const id = this.next++;
    const slice: Slice = { id, path, bodies, concurrency, expected };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage(slice);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

if (parentPort) {
  const port = parentPort;
  let client: BenchClient | undefined;
  port.on('message', (m: { baseUrl: string } | Slice) => {
    if ('baseUrl' in m) {
      client = new BenchClient(m.baseUrl);
      return;
    }
    timed(m.bodies.length, m.concurrency, async (i) => {
      const res = await client!.send('POST', m.path, m.bodies[i]);
      if (res.status !== m.expected) throw new Error(`${m.path} answered ${res.status}: ${res.text}`);
    }).then(
      (result) => port.postMessage({ id: m.id, result }),
      (err: unknown) => port.postMessage({ id: m.id, error: String(err) }),
    );
  });
}
