import { UnprocessedFinder } from './replay-unprocessed';
import type { ReplayJob } from './replay-job-store';
import type { RawStore } from '../shared/raw/raw-store';
import type { QueuePublisher } from '../shared/queue/queue-publisher';
import { ReplayProgress } from './replay-progress';
import { Retention } from '../shared/retention/retention';

/** A finished replay that sent e1..e3 and counted `processed` of them. */
function setUp(processed: number, visible: string[][]) {
  const header = { parts: ['part-0'], part_size: 1000 };
  const part = ['e1', 'e2', 'e3'].map((event_id) => JSON.stringify({ event_id, size_bytes: 1 })).join('\n');
  const raw = {
    get: (key: string) => Promise.resolve(Buffer.from(key === 'manifest' ? JSON.stringify(header) : part)),
  } as unknown as RawStore;
  const queue = { depth: () => Promise.resolve({ visible: 0, inFlight: 0 }) } as unknown as QueuePublisher;
  let reads = 0;
  class Progress extends ReplayProgress {
    processedEventIds(): Promise<Set<string>> {
      return Promise.resolve(new Set(visible[Math.min(reads++, visible.length - 1)]));
    }
  }
  const finder = new UnprocessedFinder(raw, new Progress(), queue, Retention.forever());
  const job = {
    replay_id: 'r1',
    status: 'completed',
    processed,
    next_index: 3,
    manifest_key: 'manifest',
    queue: 'q',
    created_at: new Date().toISOString(),
    finished_at: new Date().toISOString(),
  } as unknown as ReplayJob;
  return { finder, job, reads: () => reads };
}

const ids = (found: Awaited<ReturnType<UnprocessedFinder['find']>>) =>
  found.known ? found.entries.map((e) => e.event_id) : found.reason;

describe('UnprocessedFinder', () => {
  it('keeps an answer that agrees with the count', async () => {
    const { finder, job, reads } = setUp(2, [['e1', 'e2']]);
    expect(ids(await finder.find(job))).toEqual(['e3']);
    expect(ids(await finder.find(job))).toEqual(['e3']);
    expect(reads()).toBe(1);
  });

  it('names nothing while fewer DONE records are visible than were counted (an index catching up)', async () => {
    const { finder, job, reads } = setUp(2, [['e1'], ['e1', 'e2']]);
    expect(ids(await finder.find(job))).toMatch(/still being indexed/);
    expect(ids(await finder.find(job))).toEqual(['e3']);
    expect(ids(await finder.find(job))).toEqual(['e3']);
    expect(reads()).toBe(2);
  });
});
