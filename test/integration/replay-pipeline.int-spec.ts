// The send loop over the real stores: manifest parts read from the S3 emulator a block at a time,
// messages sent to the SQS emulator, checkpoints written to DynamoDB Local. A part shorter than the
// manifest counts fails the run, and what was sent before it is sent and checkpointed, not lost.
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DynamoReplayJobStore } from '../../src/replay/dynamo-replay-job-store';
import {
  ManifestHeader,
  ManifestReader,
  partBytes,
  partKey,
  toEntry,
} from '../../src/replay/replay-manifest';
import {
  CloudEventsFormatter,
  FullFormatter,
  PointerFormatter,
  ReplayFormats,
} from '../../src/replay/replay-formats';
import { SendPipeline } from '../../src/replay/replay-pipeline';
import type { ReplayJob } from '../../src/replay/replay-job-store';
import type { ReplayMetrics } from '../../src/replay/replay.metrics';
import { eventRecord } from '../support/factories';
import { openStores, Stores } from '../support/stores';

describe('SendPipeline against the emulators', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await openStores('replay-pipeline');
  });
  afterAll(() => stores.close());

  it('fails on a part shorter than the manifest counts, naming it, after sending and checkpointing every entry before it', async () => {
    const jobs = new DynamoReplayJobStore(stores.table);
    const replayId = randomUUID();
    const entries = Array.from({ length: 22 }, () => toEntry(eventRecord({ source: 'pipeline' })));
    // Parts of 10: the last should hold 5 of the 25 the manifest counts, and holds 2.
    const parts = [entries.slice(0, 10), entries.slice(10, 20), entries.slice(20)];
    const keys = parts.map((_, i) => partKey(replayId, i));
    for (const [i, part] of parts.entries())
      await stores.raw.put(keys[i], partBytes(part), 'application/x-ndjson');
    const job: ReplayJob = {
      replay_id: replayId,
      status: 'pending',
      filter: { source: 'pipeline', from: '2026-11-25T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z' },
      reason: 'a short part',
      requested_by: 'operator:test',
      queue: stores.env.PIPESCOPE_QUEUE,
      created_at: new Date().toISOString(),
      matched: 25,
      bytes: 0,
      truncated: false,
      max_events: 25,
      rate_per_second: 1_000_000,
      sent: 0,
      failed: 0,
      processed: 0,
      next_index: 0,
      manifest_key: `replays/${replayId}/manifest.json`,
    };
    await jobs.create(job);
    const now = Date.now();
    expect(await jobs.claim(replayId, 'runner', now, now + 60_000)).toBeTruthy();
    const before = await stores.queue.depth(stores.env.PIPESCOPE_QUEUE);
    const header = { parts: keys, part_size: 10, matched: 25 } as unknown as ManifestHeader;
    const pipeline = new SendPipeline(
      job,
      {
        jobs,
        queue: stores.queue,
        formats: new ReplayFormats(
          stores.raw,
          new PointerFormatter(),
          new FullFormatter(),
          new CloudEventsFormatter(),
          null,
        ),
        metrics: { batchSent: () => undefined } as unknown as ReplayMetrics,
        reader: new ManifestReader(header, (key) => stores.raw.get(key)),
        logger: new Logger('replay-pipeline-test'),
      },
      {
        owner: 'runner',
        format: 'pointer',
        matched: 25,
        concurrency: 4,
        interval: 1000,
        everyMs: 60_000,
        leaseMs: 60_000,
        stop: () => undefined,
      },
    );
    await expect(pipeline.run()).rejects.toThrow(
      `manifest part ${keys[2]} holds 2 entries; entry 2 was asked for`,
    );
    // All 22 readable entries were sent, and the checkpoint a resume starts from says so.
    expect(await jobs.get(replayId)).toMatchObject({ next_index: 22, sent: 22, failed: 0 });
    const after = await stores.queue.depth(stores.env.PIPESCOPE_QUEUE);
    expect(after.visible - before.visible).toBe(22);
  });
});
