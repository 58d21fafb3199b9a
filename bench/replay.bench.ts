// Replay throughput against the bare SendMessageBatch floor, in the same run on the same emulators.
// Starts its own emulators (DynamoDB in memory), indexes N events straight through the repository,
// replays them through the real HTTP API and runner with a rate limit far above what the queue can
// take, then sends the same N messages with the SDK alone: 10 per call, one call at a time, as the
// runner does. Prints both rates and their ratio. `npm run bench:replay`.
import 'reflect-metadata';
import {
  SendMessageBatchCommand,
  SQSClient,
  GetQueueUrlCommand,
  PurgeQueueCommand,
} from '@aws-sdk/client-sqs';
import { performance } from 'node:perf_hooks';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bootApp } from '../src/bootstrap';
import { createAwsClients, destroyAwsClients } from '../src/shared/aws/aws-clients';
import { EventIndex, EventRecord } from '../src/shared/events/event-index';
import type { OutgoingMessage } from '../src/shared/queue/queue-publisher';
import { ReplayJobStore } from '../src/replay/replay-job-store';
import { toEntry } from '../src/replay/replay-manifest';
import { toOutgoing } from '../src/shared/contracts/replay-message';
import { benchEnv, benchRecord } from './bench-support';
import { mapLimit } from '../src/shared/async/map-limit';

export interface ReplayBenchResult {
  events: number;
  replay_messages_per_second: number;
  replay_end_to_end_messages_per_second: number;
  floor_messages_per_second: number;
  ratio: number;
  /** SendMessageBatch plus one bare UpdateItem per call: the floor with the checkpoint the contract needs. */
  floor_with_checkpoint_messages_per_second: number;
  ratio_to_checkpoint_floor: number;
}

const entryOf = (m: OutgoingMessage) => ({
  Id: m.id,
  MessageBody: m.body,
  MessageAttributes: Object.fromEntries(
    Object.entries(m.attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
  ),
});

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

function record(i: number, now: number): EventRecord {
  const type = i % 2 === 0 ? 'order.created' : 'order.paid';
  return benchRecord(i, new Date(now - 60_000 + i).toISOString(), {
    type,
    entity_id: `order-${i}`,
    size_bytes: 200,
  });
}

export async function runReplayBench(events = 5000): Promise<ReplayBenchResult> {
  const { env, app, stop } = await bootApp(
    benchEnv('replay', {
      LOG_LEVEL: 'silent',
      REPLAY_MAX_RATE: '1000000',
      REPLAY_MAX_EVENTS: String(events),
    }),
    { emulators: 'temporary' },
  );
  const clients = createAwsClients(env);
  try {
    await app.init();
    const http = app.getHttpAdapter().getInstance();
    try {
      const now = Date.now();
      const records = Array.from({ length: events }, (_, i) => record(i, now));
      await mapLimit(records, 32, (r) => app.get(EventIndex).claim(r));

      // Replay through the API: the runner's send phase, and end to end from the POST.
      const started = performance.now();
      const res = await http.inject({
        method: 'POST',
        url: '/replay',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          filter: {
            source: 'bench-src',
            from: new Date(now - 3_600_000).toISOString(),
            to: new Date(now + 3_600_000).toISOString(),
          },
          max_events: events,
          rate_per_second: 1000000,
          reason: 'benchmark',
        }),
      });
      if (res.statusCode !== 202) throw new Error(`POST /replay: ${res.statusCode} ${res.body}`);
      const replayId = (JSON.parse(res.body) as { replay_id: string }).replay_id;
      const jobs = app.get(ReplayJobStore);
      let job = await jobs.get(replayId);
      while (job?.status !== 'completed') {
        if (job?.status === 'failed' || job?.status === 'cancelled') throw new Error(`replay ${job.status}`);
        await sleep(200);
        job = await jobs.get(replayId);
      }
      const endToEnd = (performance.now() - started) / 1000;
      const sendPhase = (Date.parse(job.finished_at!) - Date.parse(job.started_at!)) / 1000;
      if (job.sent !== events) throw new Error(`replay sent ${job.sent} of ${events}`);

      // The floor: the same messages straight through the SDK, 10 per call, one call at a time.
      const sqs: SQSClient = clients.sqs;
      const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: env.PIPESCOPE_QUEUE }))).QueueUrl!;
      await sqs.send(new PurgeQueueCommand({ QueueUrl: url })).catch(() => undefined);
      const messages = records.map((r, i) => toOutgoing(replayId, toEntry(r), String(i % 10)));
      const floorStarted = performance.now();
      for (let i = 0; i < messages.length; i += 10) {
        const out = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: messages.slice(i, i + 10).map((m) => ({
              Id: m.id,
              MessageBody: m.body,
              MessageAttributes: Object.fromEntries(
                Object.entries(m.attributes ?? {}).map(([k, v]) => [
                  k,
                  { DataType: 'String', StringValue: v },
                ]),
              ),
            })),
          }),
        );
        if ((out.Failed ?? []).length > 0) throw new Error('floor: SendMessageBatch entries failed');
      }
      const floor = (performance.now() - floorStarted) / 1000;

      // The same again with one UpdateItem after each call, as a checkpoint: what "at most one batch
      // sent twice" costs on these emulators, without any of pipescope's code.
      const table = env.PIPESCOPE_TABLE;
      const checkpointStarted = performance.now();
      for (let i = 0; i < messages.length; i += 10) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: messages.slice(i, i + 10).map(entryOf),
          }),
        );
        await clients.dynamo.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: 'BENCH#floor', sk: '#JOB' },
            UpdateExpression: 'SET next_index = :n',
            ExpressionAttributeValues: { ':n': i + 10 },
          }),
        );
      }
      const floorWithCheckpoint = (performance.now() - checkpointStarted) / 1000;

      const replayRate = events / sendPhase;
      const floorRate = events / floor;
      return {
        events,
        replay_messages_per_second: Math.round(replayRate),
        replay_end_to_end_messages_per_second: Math.round(events / endToEnd),
        floor_messages_per_second: Math.round(floorRate),
        ratio: Math.round((replayRate / floorRate) * 100) / 100,
        floor_with_checkpoint_messages_per_second: Math.round(events / floorWithCheckpoint),
        ratio_to_checkpoint_floor: Math.round((replayRate / (events / floorWithCheckpoint)) * 100) / 100,
      };
    } finally {
      destroyAwsClients(clients);
    }
  } finally {
    await stop();
  }
}

if (require.main === module) {
  const events = Number(process.argv[2] ?? 5000);
  runReplayBench(events)
    .then((r) => {
      process.stdout.write(
        [
          `replay bench: ${r.events} messages, SendMessageBatch of 10, one call in flight`,
          `  replay (send phase)         ${r.replay_messages_per_second} messages/s`,
          `  replay (end to end, POST..) ${r.replay_end_to_end_messages_per_second} messages/s`,
          `  bare SendMessageBatch floor ${r.floor_messages_per_second} messages/s`,
          `  ratio replay/floor          ${r.ratio}`,
          `  floor + 1 UpdateItem a call ${r.floor_with_checkpoint_messages_per_second} messages/s (ratio replay/that ${r.ratio_to_checkpoint_floor})`,
          JSON.stringify(r),
          '',
        ].join('\n'),
      );
    })
    .catch((err: unknown) => {
      process.stderr.write(`replay bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    });
}
