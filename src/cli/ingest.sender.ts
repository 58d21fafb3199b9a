// Sends the chunks of an NDJSON input and keeps the tally. Items the service answers `failed` (a
// storage error: not stored, safe to resend) are resent with exponential backoff, as are requests
// that got no answer, a 429 or a 5xx; everything else is final.
import { batchBody, Chunk, Line } from './ndjson-batches';
import { ServiceClient, ServiceError } from './service.client';

export type Outcome = 'accepted' | 'duplicate' | 'conflict' | 'rejected' | 'failed';

export interface ItemError {
  line: number;
  status: Exclude<Outcome, 'accepted' | 'duplicate'>;
  code: string;
  message: string;
  details?: unknown;
}

export interface IngestTally {
  lines: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  failed: number;
  /** Item sends repeated after a `failed` answer or a failed request. */
  retries: number;
  /** The first errors, up to `maxErrors`. */
  errors: ItemError[];
}

export interface SenderOptions {
  /** Resends of one item after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxErrors: number;
  sleep?: (ms: number) => Promise<void>;
}

interface BatchItem {
  index: number;
  status: Outcome;
  error?: { code: string; message: string; details?: unknown };
}

interface Problem {
  code: string;
  message: string;
  details?: unknown;
}

const COUNTER: Record<Outcome, keyof Omit<IngestTally, 'errors' | 'retries' | 'lines'>> = {
  accepted: 'accepted',
  duplicate: 'duplicates',
  conflict: 'conflicts',
  rejected: 'rejected',
  failed: 'failed',
};

/** Exponential backoff, never shorter than the service's Retry-After. */
export function backoffMs(attempt: number, opts: SenderOptions, retryAfterS?: number): number {
  const exp = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
  return Math.max(exp, (retryAfterS ?? 0) * 1000);
}

export class IngestSender {
  readonly tally: IngestTally = {
    lines: 0,
    accepted: 0,
    duplicates: 0,
    conflicts: 0,
    rejected: 0,
    failed: 0,
    retries: 0,
    errors: [],
  };
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: Pick<ServiceClient, 'postText'>,
    private readonly opts: SenderOptions,
  ) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Settles every line of the chunk; throws only when the key is refused (nothing can succeed). */
  async send(chunk: Chunk): Promise<void> {
    const lines = chunk.kind === 'batch' ? chunk.lines : [chunk.line];
    this.tally.lines += lines.length;
    let pending = lines;
    for (let attempt = 0; ; attempt++) {
      let retryAfter: number | undefined;
      let problem: Problem = { code: 'UNKNOWN', message: 'not sent' };
      try {
        if (chunk.kind === 'batch') {
          const answer = await this.client.postText<{ results: BatchItem[] }>(
            '/ingest/batch',
            batchBody(pending),
          );
          const failed: Line[] = [];
          for (const item of answer.body.results) {
            const line = pending[item.index];
            if (item.status === 'failed') {
              failed.push(line);
              problem = item.error ?? problem;
            } else this.settle(line, item.status, item.error);
          }
          pending = failed;
          retryAfter = answer.retryAfter;
        } else {
          const answer = await this.client.postText<{ status: Outcome }>('/ingest', chunk.line.text);
          this.settle(chunk.line, answer.body.status);
          pending = [];
        }
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        if (err.status === 401 || err.status === 403) throw err;
        if (!err.retryable) {
          const status = err.code === 'INGEST.IDEMPOTENCY_CONFLICT' ? 'conflict' : 'rejected';
          for (const line of pending) this.settle(line, status, err);
          return;
        }
        problem = err;
        retryAfter = err.retryAfter;
      }
      if (pending.length === 0) return;
      if (attempt >= this.opts.retries) {
        for (const line of pending) this.settle(line, 'failed', problem);
        return;
      }
      this.tally.retries += pending.length;
      await this.sleep(backoffMs(attempt, this.opts, retryAfter));
    }
  }

  private settle(line: Line, status: Outcome, error?: Problem): void {
    this.tally[COUNTER[status]] += 1;
    if (status === 'accepted' || status === 'duplicate') return;
    if (this.tally.errors.length >= this.opts.maxErrors) return;
    this.tally.errors.push({
      line: line.no,
      status,
      code: error?.code ?? 'UNKNOWN',
      message: error?.message ?? status,
      ...(error?.details !== undefined ? { details: error.details } : {}),
    });
  }
}
