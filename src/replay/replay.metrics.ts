// Replay's metrics (docs/replay.md): messages sent or given up, duration and rate of finished replays,
// replays running here, manifest bytes kept for this instance's runner.
import { Injectable } from '@nestjs/common';
import { MetricSet } from '../shared/metrics/metric-set';

type SendOutcome = 'sent' | 'failed';
export type ReplayEnd = 'completed' | 'cancelled' | 'failed';

const OUTCOME_METRIC: Record<SendOutcome, string> = {
  sent: 'ReplayMessagesSent',
  failed: 'ReplayMessagesFailed',
};

@Injectable()
export class ReplayMetrics extends MetricSet {
  /** Prometheus labels it by outcome; EMF names it by outcome, by queue. */
  readonly messages = this.metrics.counter<{ outcome: SendOutcome; queue: string }>({
    name: 'pipescope_replay_messages_total',
    help: 'Replay messages by outcome: sent (SQS accepted it) or failed (given up after retries)',
    labelNames: ['outcome'],
    emf: { metric: (l) => OUTCOME_METRIC[l.outcome], dimensions: ['queue'] },
  });
  /** Prometheus labels it by final status; EMF by queue. */
  readonly duration = this.metrics.histogram<{ status: ReplayEnd; queue: string }>({
    name: 'pipescope_replay_duration_seconds',
    help: 'Wall time of finished replays, from first start to end, by final status',
    labelNames: ['status'],
    unit: 'Seconds',
    buckets: [1, 5, 15, 60, 300, 900, 3600, 14400],
    emf: { metric: 'ReplayDuration', dimensions: ['queue'] },
  });
  readonly rate = this.metrics.gauge<{ queue: string }>({
    name: 'pipescope_replay_rate_messages_per_second',
    help: 'Achieved send rate of the last finished replay, per queue',
    labelNames: ['queue'],
    unit: 'None',
    emf: { metric: 'ReplayRate', dimensions: ['queue'] },
  });
  readonly running = this.metrics.gauge({
    name: 'pipescope_replays_running',
    help: 'Replays this instance is sending now',
    unit: 'None',
  });
  readonly manifestBytes = this.metrics.gauge({
    name: 'pipescope_replay_manifest_cache_bytes',
    help: 'Bytes of manifest files this instance wrote and keeps for its own runner (REPLAY_PART_CACHE_MB)',
    unit: 'Bytes',
  });

  /** Sent is always counted (so the series exists); failed only when some were given up. */
  batchSent(queue: string, sent: number, failed: number): void {
    this.messages.inc({ outcome: 'sent', queue }, sent);
    if (failed > 0) this.messages.inc({ outcome: 'failed', queue }, failed);
  }

  ended(queue: string, status: ReplayEnd, seconds: number, rate: number): void {
    this.duration.observe({ status, queue }, seconds);
    this.rate.set({ queue }, rate);
  }
}
