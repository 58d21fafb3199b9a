// Replay throughput against the bare SendMessageBatch floor, in the same run on the same emulators.
// Starts its own emulators (DynamoDB in memory), indexes N events straight through the repository,
// warms up (WARM_UP_REPLAYS replays, then WARM_UP_ROUNDS floors and send loops), then three times:
// replays them through the real HTTP API and runner with a rate limit far above what the queue can
// take, and sends the same N messages with the SDK alone, 10 per call, with as many calls in flight
// as the runner keeps (REPLAY_SEND_CONCURRENCY), right before and right after the replay (averaged:
// this machine's speed moves in steps of seconds). Prints each run's rates and app/floor, and the
// median ratio of the three. After each replay's second floor it also times the send loop alone (the
// same SendPipeline, formats and publisher over the same manifest held in memory, checkpoints not
// written), against that floor and the next: the difference between the two ratios is what reading
// the manifest (from the memory of the instance that created the replay: REPLAY_PART_CACHE_MB),
// writing checkpoints, and starting and ending the job cost. For each phase it also prints the cores
// each process used (process-cpu.ts): which one bounds the run. `npm run bench:replay [events]`.
// BENCH_RUNS=<n> measures n runs instead of three (the goal's figure is the median of three; more runs
// narrow it down on a noisy machine, where single runs move by about ±8 points). With 5 or more it also
// prints, of every three of its runs, the share whose median meets the goal: how often an invocation of
// three would.
// BENCH_RTT_MS=<ms> puts a network round trip in front of the SQS emulator (latency-proxy.ts, its own
// process), for the app and the floor alike: the regime of real SQS, where each call waits on the
// network rather than on this machine's CPU. The goal is stated without it (BENCH_RTT_MS unset).
import 'reflect-metadata';
import {
  SendMessageBatchCommand,
  SQSClient,
  GetQueueUrlCommand,
  PurgeQueueCommand,
} from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootApp, startEmulators } from '../src/bootstrap';
import { createAwsClients, destroyAwsClients } from '../src/shared/aws/aws-clients';
import { EmulatorProcess, LOOPBACK, startNodeProcess } from '../src/shared/local/local-stack';
import { EventIndex, EventRecord } from '../src/shared/events/event-index';
import type { OutgoingMessage } from '../src/shared/queue/queue-publisher';
import { ReplayJobStore } from '../src/replay/replay-job-store';
import { ManifestReader, PART_SIZE, partBytes, toEntry } from '../src/replay/replay-manifest';
import { ReplayFormats } from '../src/replay/replay-formats';
import { entryId, SendPipeline } from '../src/replay/replay-pipeline';
import { ReplayMetrics } from '../src/replay/replay.metrics';
import { QueuePublisher } from '../src/shared/queue/queue-publisher';
import { Logger } from '@nestjs/common';
import { toOutgoing } from '../src/shared/contracts/replay-message';
import { benchEnv, benchRecord, median, runtimeLine, shareOfMediansAtLeast } from './bench-support';
import { mapLimit } from '../src/shared/async/map-limit';
import { coresBetween, formatCores, readCpu } from './process-cpu';

export interface ReplayRun {
  /** Messages/s of the runner's send phase (started_at..finished_at). */
  replay: number;
  /** Messages/s from the POST, selection and manifest included. */
  end_to_end: number;
  /** Messages/s of bare SendMessageBatch calls, as many in flight as the runner keeps (before and after). */
  floor: number;
  /** The floor right before the replay and right after it, messages/s: how far the machine drifted. */
  floors: [number, number];
  ratio: number;
  /** Messages/s of the send loop alone: manifest in memory, no checkpoint writes. */
  loop: number;
  loop_ratio: number;
  /**
   * Cores each process used (the app's own process, each emulator) during the floor before the
   * replay, the replay from its POST to its end (selection and polling included), and the send loop.
   */
  cores: { floor: Record<string, number>; replay: Record<string, number>; loop: Record<string, number> };
}

export interface ReplayBenchResult {
  events: number;
  /** The network round trip added in front of SQS (BENCH_RTT_MS), 0 for none. */
  rtt_ms: number;
  in_flight: number;
  checkpoint_batches: number;
  /** REPLAY_PART_CACHE_MB: 0 when the runner reads its manifest from S3. */
  part_cache_mb: number;
  runs: ReplayRun[];
  median_ratio: number;
  median_loop_ratio: number;
  /**
   * Of every three of these runs, the share whose median meets the goal: how often an invocation of
   * three runs would, if its runs were drawn from these (BENCH_RUNS of 5 or more; null for fewer).
   */
  three_run_medians_meeting_goal: number | null;
}

/** The goal: app/floor of the replay's send phase, median of three runs. */
const GOAL = 0.9;

const entryOf = (m: OutgoingMessage) => ({
  Id: m.id,
  MessageBody: m.body,
  MessageAttributes: Object.fromEntries(
    Object.entries(m.attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
  ),
});

/**
 * Replays, then floor and send-loop phases, run before the first measured run. Floors of 20,000
 * messages run back to back on this machine kept getting faster for four phases (5,810, 9,535, 10,557,
 * 12,775 messages/s, then about 13,000 give or take 10%: the JIT and the emulator warming up); a run
 * measured on that rise compares its replay with a slower floor before it than after it. With one
 * warm-up replay the first measured run read lower than the others (0.86 against 0.92 over nine
 * invocations); with three, 0.90 against 0.89 over seven (docs/benchmarks.md).
 */
const WARM_UP_REPLAYS = 3;
const WARM_UP_ROUNDS = 4;

/** How often the bench looks at the job while it runs. */
const POLL_MS = 500;
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
const round2 = (x: number): number => Math.round(x * 100) / 100;

function record(i: number, now: number): EventRecord {
  const type = i % 2 === 0 ? 'order.created' : 'order.paid';
  return benchRecord(i, new Date(now - 60_000 + i).toISOString(), {
    type,
    entity_id: `order-${i}`,
    size_bytes: 200,
  });
}

/** One replay of every indexed event through the API, to its end: its send-phase and end-to-end rates. */
async function replayOnce(
  app: NestFastifyApplication,
  events: number,
  now: number,
): Promise<{ id: string; replay: number; end_to_end: number }> {
  const http = app.getHttpAdapter().getInstance();
  const started = Date.now();
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
  const id = (JSON.parse(res.body) as { replay_id: string }).replay_id;
  const jobs = app.get(ReplayJobStore);
  // Both rates come from the job's own timestamps, so the bench only needs to learn that the job ended,
  // and each look must cost little: it shares the cores with the replay being measured. A look is one
  // Query of the active jobs (1.5 to 1.8 ms of this process's main thread, 5 ms in all); reading the
  // job also reads its REPLAY_PROGRESS_SHARDS progress counts, 64 more calls by default (4.5 to 7 ms
  // of the main thread, 27 to 34 ms in all, measured on this machine).
  while ((await jobs.active()).some((j) => j.replay_id === id)) await sleep(POLL_MS);
  let job = await jobs.get(id);
  while (job?.status !== 'completed') {
    if (job?.status === 'failed' || job?.status === 'cancelled') throw new Error(`replay ${job.status}`);
    await sleep(POLL_MS);
    job = await jobs.get(id);
  }
  const endToEnd = (Date.parse(job.finished_at!) - started) / 1000;
  const sendPhase = (Date.parse(job.finished_at!) - Date.parse(job.started_at!)) / 1000;
  if (job.sent !== events) throw new Error(`replay sent ${job.sent} of ${events}`);
  return { id, replay: events / sendPhase, end_to_end: events / endToEnd };
}

/** latency-proxy.ts in its own supervised process in front of `target` (a URL); its URL and process. */
async function startProxy(target: string, oneWayMs: number): Promise<{ url: string; proc: EmulatorProcess }> {
  const { host } = new URL(target);
  const { proc, port } = await startNodeProcess('latency-proxy', join(__dirname, 'latency-proxy.js'), [
    host,
    String(oneWayMs),
  ]);
  return { url: `http://${LOOPBACK}:${port}`, proc };
}

export async function runReplayBench(events = 20000, runs = 3, rttMs = 0): Promise<ReplayBenchResult> {
  const config = benchEnv('replay', {
    LOG_LEVEL: 'silent',
    REPLAY_MAX_RATE: '1000000',
    REPLAY_MAX_EVENTS: String(events),
    // REPLAY_PART_CACHE_MB=0 measures a replay sent by an instance that did not create it (the
    // manifest read from S3), as after a restart or on a busy fleet.
    ...(process.env.REPLAY_PART_CACHE_MB ? { REPLAY_PART_CACHE_MB: process.env.REPLAY_PART_CACHE_MB } : {}),
  });
  const emulators = await startEmulators(config, 'temporary');
  const proxy =
    rttMs > 0
      ? await startProxy(emulators.endpoints.sqs, rttMs / 2).catch(async (err: unknown) => {
          await emulators.stop();
          throw err;
        })
      : undefined;
  const booted = await bootApp(config, {
    emulators: proxy ? { ...emulators.endpoints, sqs: proxy.url } : emulators.endpoints,
  }).catch(async (err: unknown) => {
    await proxy?.proc.stop();
    await emulators.stop();
    throw err;
  });
  const { env, app } = booted;
  const stop = async (): Promise<void> => {
    try {
      await booted.stop();
    } finally {
      await proxy?.proc.stop();
      await emulators.stop();
    }
  };
  const clients = createAwsClients(env);
  const inFlight = env.REPLAY_SEND_CONCURRENCY;
  try {
    await app.init();
    const now = Date.now();
    const records = Array.from({ length: events }, (_, i) => record(i, now));
    await mapLimit(records, 32, (r) => app.get(EventIndex).claim(r));
    const sqs: SQSClient = clients.sqs;
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: env.PIPESCOPE_QUEUE }))).QueueUrl!;
    const purge = () => sqs.send(new PurgeQueueCommand({ QueueUrl: url })).catch(() => undefined);
    /** Seconds to send `messages` with bare SendMessageBatch calls, `inFlight` at once. */
    const floorSeconds = async (messages: OutgoingMessage[]): Promise<number> => {
      await purge();
      const calls: OutgoingMessage[][] = [];
      for (let i = 0; i < messages.length; i += 10) calls.push(messages.slice(i, i + 10));
      const started = performance.now();
      await mapLimit(calls, inFlight, async (call) => {
        const out = await sqs.send(
          new SendMessageBatchCommand({ QueueUrl: url, Entries: call.map(entryOf) }),
        );
        if ((out.Failed ?? []).length > 0) throw new Error('floor: SendMessageBatch entries failed');
      });
      return (performance.now() - started) / 1000;
    };
    /** Messages/s of the runner's send loop alone over the same entries, held in memory. */
    const entries = records.map(toEntry);
    // Held as the bytes S3 would answer, so the loop decodes and parses them as the runner does.
    const parts: Buffer[] = [];
    for (let i = 0; i < entries.length; i += PART_SIZE)
      parts.push(partBytes(entries.slice(i, i + PART_SIZE)));
    const loopRate = async (): Promise<number> => {
      await purge();
      const header = { parts: parts.map((_, i) => String(i)), part_size: PART_SIZE, matched: events };
      const reader = new ManifestReader(header as never, async (key) => parts[Number(key)]);
      const job = { replay_id: randomUUID(), queue: env.PIPESCOPE_QUEUE, next_index: 0, sent: 0, failed: 0 };
      const pipeline = new SendPipeline(
        { ...job, rate_per_second: 1000000 } as never,
        {
          // Checkpoints acknowledged at once: this loop measures sending, not DynamoDB.
          jobs: { checkpoint: () => Promise.resolve('running') } as never,
          queue: app.get(QueuePublisher),
          formats: app.get(ReplayFormats),
          metrics: app.get(ReplayMetrics),
          reader,
          logger: new Logger('replay-bench'),
        },
        {
          owner: 'bench',
          format: 'pointer',
          matched: events,
          concurrency: inFlight,
          interval: env.REPLAY_CHECKPOINT_BATCHES,
          everyMs: env.REPLAY_CHECKPOINT_MS,
          leaseMs: env.REPLAY_LEASE_MS,
          stop: () => undefined,
        },
      );
      const started = performance.now();
      const { at } = await pipeline.run();
      if (at.sent !== events) throw new Error(`send loop sent ${at.sent} of ${events}`);
      return events / ((performance.now() - started) / 1000);
    };
    // The runner's own entry ids (0 to 9 in each call): ids are part of what a call costs the SDK.
    const messagesOf = (replayId: string) =>
      records.map((r, i) => toOutgoing(replayId, toEntry(r), entryId(i)));
    // Warm-up, not reported: WARM_UP_REPLAYS replays, then WARM_UP_ROUNDS floors and send loops, so
    // no path is measured cold or on its way up.
    let warm = { id: '' };
    for (let round = 0; round < WARM_UP_REPLAYS; round++) {
      await purge();
      warm = await replayOnce(app, events, now);
    }
    // Built once, before any measured phase: messages built right before a floor are promoted by the
    // collector while it runs, which in some runs slowed that floor alone and flattered the replay.
    const messages = messagesOf(warm.id);
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      await floorSeconds(messages);
      await loopRate();
    }
    const results: ReplayRun[] = [];
    // Each floor phase ends one run's pair and starts the next: floor, replay, floor, loop, floor, ...
    // The replay is compared with the floors right before and right after it (averaged: this machine's
    // speed moves in steps, so the floors nearest in time are the fairest), and the send loop with its own.
    let floorCpu = [readCpu()];
    let before = await floorSeconds(messages);
    floorCpu.push(readCpu());
    for (let run = 0; run < runs; run++) {
      await purge();
      const replayCpu = [readCpu()];
      const replayed = await replayOnce(app, events, now);
      replayCpu.push(readCpu());
      const after = await floorSeconds(messages);
      const loopCpu = [readCpu()];
      const loop = await loopRate();
      loopCpu.push(readCpu());
      const next = await floorSeconds(messages);
      const nextCpu = readCpu();
      const floor = events / ((before + after) / 2);
      results.push({
        replay: Math.round(replayed.replay),
        end_to_end: Math.round(replayed.end_to_end),
        floor: Math.round(floor),
        floors: [Math.round(events / before), Math.round(events / after)],
        ratio: round2(replayed.replay / floor),
        loop: Math.round(loop),
        loop_ratio: round2(loop / (events / ((after + next) / 2))),
        cores: {
          floor: coresBetween(floorCpu[0], floorCpu[1]),
          replay: coresBetween(replayCpu[0], replayCpu[1]),
          loop: coresBetween(loopCpu[0], loopCpu[1]),
        },
      });
      before = next;
      floorCpu = [loopCpu[1], nextCpu];
    }
    return {
      events,
      rtt_ms: rttMs,
      in_flight: inFlight,
      checkpoint_batches: env.REPLAY_CHECKPOINT_BATCHES,
      part_cache_mb: env.REPLAY_PART_CACHE_MB,
      runs: results,
      median_ratio: round2(median(results.map((r) => r.ratio))),
      median_loop_ratio: round2(median(results.map((r) => r.loop_ratio))),
      three_run_medians_meeting_goal:
        results.length >= 5
          ? round2(
              shareOfMediansAtLeast(
                results.map((r) => r.ratio),
                3,
                GOAL,
              ),
            )
          : null,
    };
  } finally {
    destroyAwsClients(clients);
    await stop();
  }
}

if (require.main === module) {
  const events = Number(process.argv[2] ?? 20000);
  const rttMs = Number(process.env.BENCH_RTT_MS ?? 0);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`BENCH_RUNS=${process.env.BENCH_RUNS}: a whole number of runs, at least 1`);
  process.stdout.write(`pipescope replay bench: ${runtimeLine()}\n`);
  runReplayBench(events, runs, rttMs)
    .then((r) => {
      process.stdout.write(
        [
          `replay bench: ${r.events} messages, SendMessageBatch of 10, ${r.in_flight} calls in flight (REPLAY_SEND_CONCURRENCY), checkpoint interval ${r.checkpoint_batches} batches` +
            (r.rtt_ms > 0 ? `, a ${r.rtt_ms} ms round trip added in front of SQS (BENCH_RTT_MS)` : '') +
            (r.part_cache_mb === 0 ? ', manifest read from S3 (REPLAY_PART_CACHE_MB=0)' : ''),
          ...r.runs.map(
            (x, i) =>
              `  run ${i + 1}: replay (send phase) ${x.replay} messages/s, end to end ${x.end_to_end} messages/s | floor ${x.floor} messages/s | app/floor ${x.ratio} | send loop alone ${x.loop} messages/s, ${x.loop_ratio}`,
          ),
          ...r.runs.map(
            (x, i) =>
              `  cores, run ${i + 1}: floor (${formatCores(x.cores.floor)}) | replay, POST to end (${formatCores(x.cores.replay)}) | send loop (${formatCores(x.cores.loop)})`,
          ),
          `  app/floor, median of ${r.runs.length}: ${r.median_ratio} (goal: at least ${GOAL}, median of 3)`,
          ...(r.three_run_medians_meeting_goal === null
            ? []
            : [
                `  of every three of these ${r.runs.length} runs, the share whose median is at least ${GOAL}: ${Math.round(r.three_run_medians_meeting_goal * 100)}%`,
              ]),
          `  send loop alone (manifest in memory, no checkpoint writes)/floor, median: ${r.median_loop_ratio}`,
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
