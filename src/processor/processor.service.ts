// The processing shared by the SQS consumer and the Lambda handler: verify a batch of messages against
// the index (one BatchGetItem) and their raw objects, add each event to the bucket of every registered
// aggregator (incrementally, all buckets in one transaction, see aggregate-writer.ts) and count the
// batch's events for their replays in that same transaction.
import { Injectable, Logger } from '@nestjs/common';
import { AggregateStore } from './aggregate-store';
import { EventIndex } from '../shared/events/event-index';
import { RawStore } from '../shared/raw/raw-store';
import { AppError } from '../shared/errors/app-error';
import { bucketKey } from './aggregate';
import { AggregatorRegistry } from './aggregator-registry';
import { AggregateWriter, BucketInputs } from './aggregate-writer';
import { InboundMessage, IntegrityError, MessageVerifier, Verified } from './message-verifier';
import { MessageOutcome, ProcessorMetrics } from './processor.metrics';
import { mapLimit } from '../shared/async/map-limit';
import { MessageFailureStore } from '../shared/message-failures/message-failure-store';
import { failureCause } from './failure-cause';
import { labelsOf } from '../shared/contracts/replay-message';

export { PROCESSOR_VERSION } from './aggregate-writer';
/** Messages (and buckets) of one batch worked on at once. */
const PARALLELISM = 16;

export type MessageResult =
  | { messageId: string; ok: true; outcome: 'versioned' | 'unchanged' }
  | { messageId: string; ok: false; error: unknown };

interface Group extends BucketInputs {
  messageIds: string[];
}

@Injectable()
export class ProcessorService {
  private readonly logger = new Logger(ProcessorService.name);
  private readonly verifier: MessageVerifier;
  private readonly writer: AggregateWriter;

  constructor(
    index: EventIndex,
    raw: RawStore,
    aggregates: AggregateStore,
    private readonly registry: AggregatorRegistry,
    private readonly metrics: ProcessorMetrics,
    private readonly failures: MessageFailureStore,
  ) {
    this.verifier = new MessageVerifier(index, raw, metrics);
    this.writer = new AggregateWriter(aggregates, raw, metrics);
  }

  /**
   * Processes a batch; never throws. A failed message is reported so its caller leaves it on the
   * queue (redelivery, then the dead-letter queue), and its cause is recorded for the dead-letter
   * listing. Contributions and DONE markers make a redelivered message count once.
   */
  async processBatch(messages: InboundMessage[]): Promise<MessageResult[]> {
    const stop = this.metrics.duration.startTimer();
    const results = new Map<string, MessageResult>();
    const fail = (messageId: string, error: unknown, outcome: MessageOutcome) => {
      results.set(messageId, { messageId, ok: false, error });
      this.metrics.message(outcome);
    };
    const verified: Verified[] = [];
    for (const v of await this.verifier.verifyBatch(messages, PARALLELISM)) {
      if ('event' in v) verified.push(v);
      else this.unverified(v.messageId, v.error, fail);
    }
    const groups = [...this.groupsOf(verified).values()];
    const byReplay = new Map<string, string[]>();
    for (const v of verified)
      byReplay.set(v.message.replay_id, [...(byReplay.get(v.message.replay_id) ?? []), v.message.event_id]);
    const marks = [...byReplay].map(([replayId, eventIds]) => ({ replayId, eventIds }));
    try {
      const outcomes = await this.writer.write(groups, marks);
      const versioned = new Set(groups.flatMap((g, i) => (outcomes[i] === 'versioned' ? g.messageIds : [])));
      for (const v of verified) {
        const outcome = versioned.has(v.messageId) ? 'versioned' : 'unchanged';
        results.set(v.messageId, { messageId: v.messageId, ok: true, outcome });
        this.metrics.message(outcome);
      }
    } catch (err) {
      for (const v of verified) fail(v.messageId, err, 'failed');
    }
    stop();
    const ordered = messages.map((m) => results.get(m.messageId)!);
    await this.recordFailures(messages, ordered);
    return ordered;
  }

  /** Each verified event in the bucket of every aggregator it is an input of. */
  private groupsOf(verified: Verified[]): Map<string, Group> {
    const groups = new Map<string, Group>();
    for (const v of verified) {
      for (const aggregator of this.registry.all) {
        const bucket = aggregator.bucketOf(v.event);
        if (!bucket) continue;
        const id = `${aggregator.name}#${bucketKey(bucket)}`;
        const g = groups.get(id) ?? { aggregator, bucket, members: [], messageIds: [] };
        g.members.push({ event: v.event, record: v.record, replayId: v.message.replay_id });
        g.messageIds.push(v.messageId);
        groups.set(id, g);
      }
    }
    return groups;
  }

  private unverified(
    messageId: string,
    err: unknown,
    fail: (id: string, e: unknown, o: MessageOutcome) => void,
  ): void {
    if (err instanceof IntegrityError) {
      this.metrics.integrityError(err.reason);
      this.logger.error(
        { op: 'verify', message_id: messageId, ...(err.details as object), err: err.message },
        'integrity error: message left for the dead-letter queue',
      );
      fail(messageId, err, 'integrity_error');
    } else if (err instanceof AppError && err.code === 'PROCESSOR.INVALID_MESSAGE') {
      fail(messageId, err, 'invalid');
    } else {
      fail(messageId, err, 'failed');
    }
  }

  /** One failure record per failed message; a record that cannot be written is logged, not fatal. */
  private async recordFailures(messages: InboundMessage[], results: MessageResult[]): Promise<void> {
    const at = new Date().toISOString();
    const failed = messages.flatMap((m, i) => {
      const r = results[i];
      return r.ok ? [] : [{ m, cause: failureCause(r.error, at) }];
    });
    await mapLimit(failed, PARALLELISM, async ({ m, cause }) => {
      const { replay_id, event_id } = labelsOf(m.body);
      try {
        await this.failures.record({
          message_id: m.messageId,
          replay_id,
          event_id,
          receive_count: m.receiveCount ?? 1,
          cause,
        });
      } catch (err) {
        this.logger.warn({ op: 'failure.record', message_id: m.messageId, err }, 'failure not recorded');
      }
    });
  }
}
