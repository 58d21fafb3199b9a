import { Logger } from '@nestjs/common';
import type { FormattedMessage, ReplayFormats } from './replay-formats';
import type { ReplayJob, ReplayJobStore } from './replay-job-store';
import type { ManifestEntry, ManifestReader } from './replay-manifest';
import { SendPipeline } from './replay-pipeline';
import type { ReplayMetrics } from './replay.metrics';
import type { QueuePublisher } from '../shared/queue/queue-publisher';

const entry = (id: string) => ({ event_id: id }) as ManifestEntry;
const job = {
  replay_id: 'r-1',
  queue: 'q',
  rate_per_second: 1000,
  next_index: 0,
  sent: 0,
  failed: 0,
} as ReplayJob;

describe('SendPipeline', () => {
  it("fails the run, leaving nothing unhandled, when a formatter throws while another event's message is pending", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Event 0's message waits on a raw read that fails; event 1's formatter throws at once.
      const formats = {
        message: (_format: string, _replay: string, e: ManifestEntry): Promise<FormattedMessage> => {
          if (e.event_id === 'e-1') throw new Error('formatter refused e-1');
          return new Promise((_, reject) => setTimeout(() => reject(new Error('raw read failed')), 10));
        },
      } as unknown as ReplayFormats;
      const pipeline = new SendPipeline(
        job,
        {
          jobs: {} as ReplayJobStore,
          queue: {} as QueuePublisher,
          formats,
          metrics: {} as ReplayMetrics,
          reader: { slice: () => Promise.resolve([entry('e-0'), entry('e-1')]) } as unknown as ManifestReader,
          logger: new Logger('test'),
        },
        {
          owner: 'me',
          format: 'custom',
          matched: 2,
          concurrency: 1,
          leaseMs: 60_000,
          interval: 100,
          everyMs: 1000,
          stop: () => undefined,
        },
      );
      await expect(pipeline.run()).rejects.toThrow('formatter refused e-1');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
