// The processing shared by the SQS consumer and the Lambda handler: verify each message's raw object
// against the message and the index, normalise it, recompute the aggregate of its bucket from the
// index, and write a new version (with lineage in S3) only when the bucket's input hash changed.
import { Injectable, Logger } from '@nestjs/common';
import { AggregateStore, AggregateVersion } from './aggregate-store';
import { EventIndex, EventRecord } from '../shared/events/event-index';
import { RawStore } from '../shared/raw/raw-store';
import { AppError } from '../shared/errors/app-error';
import { Bucket, bucketKey, bucketOf, bucketWindow, computeValue, inputHash, sortInputs } from './aggregate';
import { lineageKey, Lineage, lineageOf } from './lineage';
import { InboundMessage, IntegrityError, MessageVerifier, Verified } from './message-verifier';
import { MessageOutcome, ProcessorMetrics } from './processor.metrics';
import { ReplayProgress } from '../replay/replay-progress';
import { mapLimit } from '../shared/async/map-limit';
import { MessageFailureStore } from '../shared/message-failures/message-failure-store';
import { failureCause } from './failure-cause';
import { labelsOf } from '../shared/contracts/replay-message';

/** Written into every version: which code computed it. */
export const PROCESSOR_VERSION = 'pipescope.processor.v1';
/** Versions with at most this many inputs keep the input ids in the item, not only in lineage. */
export const INLINE_INPUT_IDS = 1000;
const SAMPLE_SIZE = 10;
const MAX_ATTEMPTS = 5;
const PAGE = 1000;
/** Messages (and buckets) of one batch worked on at once. */
const PARALLELISM = 16;

export type MessageResult =
  | { messageId: string; ok: true; outcome: 'versioned' | 'unchanged'; key: string; version: number }
  | { messageId: string; ok: false; error: unknown };

interface RefreshResult {
  outcome: 'versioned' | 'unchanged';
  key: string;
  version: number;
  /** The inputs the result was computed from. */
  inputIds: Set<string>;
}

@Injectable()
export class ProcessorService {
  private readonly logger = new Logger(ProcessorService.name);
  private readonly computing = new Map<string, Promise<RefreshResult>>();
  private readonly verifier: MessageVerifier;

  constructor(
    private readonly index: EventIndex,
    private readonly raw: RawStore,
    private readonly aggregates: AggregateStore,
    private readonly progress: ReplayProgress,
    private readonly metrics: ProcessorMetrics,
    private readonly failures: MessageFailureStore,
  ) {
    this.verifier = new MessageVerifier(index, raw);
  }

  /**
   * Processes a batch; never throws. Messages of one bucket are aggregated once. A failed message is
   * reported so its caller leaves it on the queue (redelivery, then the dead-letter queue), and its
   * cause is recorded for the dead-letter listing.
   */
  async processBatch(messages: InboundMessage[]): Promise<MessageResult[]> {
    const stop = this.metrics.duration.startTimer();
    const results = new Map<string, MessageResult>();
    const fail = (messageId: string, error: unknown, outcome: MessageOutcome) => {
      results.set(messageId, { messageId, ok: false, error });
      this.metrics.message(outcome);
    };
    const verified: Verified[] = [];
    await mapLimit(messages, PARALLELISM, async (m) => {
      try {
        verified.push(await this.verifier.verify(m));
      } catch (err) {
        if (err instanceof IntegrityError) {
          this.metrics.integrityError(err.reason);
          this.logger.error(
            { op: 'verify', message_id: m.messageId, ...(err.details as object), err: err.message },
            'integrity error: message left for the dead-letter queue',
          );
          fail(m.messageId, err, 'integrity_error');
        } else if (err instanceof AppError && err.code === 'PROCESSOR.INVALID_MESSAGE') {
          fail(m.messageId, err, 'invalid');
        } else {
          fail(m.messageId, err, 'failed');
        }
      }
    });
    const buckets = new Map<string, { bucket: Bucket; members: Verified[] }>();
    for (const v of verified) {
      const bucket = bucketOf(v.record.entity_id, v.record.occurred_at);
      const key = bucketKey(bucket);
      const group = buckets.get(key) ?? { bucket, members: [] };
      group.members.push(v);
      buckets.set(key, group);
    }
    await mapLimit([...buckets.values()], PARALLELISM, async ({ bucket, members }) => {
      try {
        const done = await this.refreshOnce(bucket, members);
        await mapLimit(members, 10, async (v) => {
          try {
            await this.progress.markProcessed(v.message.replay_id, v.message.event_id);
            results.set(v.messageId, {
              messageId: v.messageId,
              ok: true,
              outcome: done.outcome,
              key: done.key,
              version: done.version,
            });
            this.metrics.message(done.outcome);
          } catch (err) {
            fail(v.messageId, err, 'failed');
          }
        });
      } catch (err) {
        for (const v of members) fail(v.messageId, err, 'failed');
      }
    });
    stop();
    const ordered = messages.map((m) => results.get(m.messageId)!);
    await this.recordFailures(messages, ordered);
    return ordered;
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

  /**
   * One computation per bucket at a time in this process: a batch whose bucket is already being
   * computed waits for it, and is done if that result's inputs include its events.
   */
  private async refreshOnce(bucket: Bucket, members: Verified[]): Promise<RefreshResult> {
    const key = bucketKey(bucket);
    const pending = this.computing.get(key);
    if (pending) {
      const other = await pending.catch(() => undefined);
      if (other && members.every((v) => other.inputIds.has(v.record.event_id))) {
        return { ...other, outcome: 'unchanged' };
      }
    }
    const mine = this.refresh(bucket, members);
    this.computing.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.computing.get(key) === mine) this.computing.delete(key);
    }
  }

  /**
   * Recomputes a bucket from the index and writes version n+1 when its input hash changed. Safe under
   * concurrent writers: version items are created conditionally, and a snapshot with no more inputs
   * than the latest version is stale (the index only grows), so it is read again instead of written.
   */
  private async refresh(bucket: Bucket, members: Verified[]): Promise<RefreshResult> {
    const key = bucketKey(bucket);
    const replayIds = [...new Set(members.map((v) => v.message.replay_id))].sort();
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const inputs = await this.bucketInputs(bucket);
      const present = new Set(inputs.map((e) => e.event_id));
      if (members.some((v) => !present.has(v.record.event_id))) {
        // The entity index (a GSI) can trail the event item for a moment.
        await delay(100 * (attempt + 1));
        continue;
      }
      const hash = inputHash(inputs);
      const [latest, pointer] = await Promise.all([
        this.aggregates.latestVersion(key),
        this.aggregates.pointerVersion(key),
      ]);
      if (latest && latest.input_hash === hash) {
        if (pointer === undefined || pointer < latest.version) {
          // A writer stopped between its version and its pointer: finish its work (same inputs).
          await this.writeLineage(latest, inputs);
          await this.aggregates.advanceLatest(latest);
        }
        return { outcome: 'unchanged', key, version: latest.version, inputIds: present };
      }
      const lastAttempt = attempt === MAX_ATTEMPTS - 1;
      if (latest && inputs.length <= latest.input_count && !lastAttempt) continue;
      const sorted = sortInputs(inputs);
      const next = (latest?.version ?? 0) + 1;
      const version: AggregateVersion = {
        key,
        entity_id: bucket.entity_id,
        hour: bucket.hour,
        version: next,
        value: computeValue(sorted),
        input_hash: hash,
        input_count: sorted.length,
        sample_event_ids: sorted.slice(0, SAMPLE_SIZE).map((e) => e.event_id),
        processor_version: PROCESSOR_VERSION,
        computed_at: new Date().toISOString(),
        replay_ids: replayIds,
        lineage_key: lineageKey(key, next),
        ...(sorted.length <= INLINE_INPUT_IDS ? { input_event_ids: sorted.map((e) => e.event_id) } : {}),
      };
      if (!(await this.aggregates.putVersion(version))) continue;
      await this.writeLineage(version, sorted);
      await this.aggregates.advanceLatest(version);
      this.metrics.version();
      this.logger.log(
        { op: 'version', key, version: next, input_count: sorted.length, replay_ids: replayIds },
        'aggregate version written',
      );
      return { outcome: 'versioned', key, version: next, inputIds: present };
    }
    throw new AppError('PROCESSOR.CONTENDED', `aggregate ${key} kept changing; will retry`);
  }

  private async bucketInputs(bucket: Bucket): Promise<EventRecord[]> {
    const out: EventRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.index.eventsOfEntity(bucket.entity_id, bucketWindow(bucket), 'asc', {
        limit: PAGE,
        cursor,
      });
      out.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return out;
  }

  private async writeLineage(version: AggregateVersion, inputs: EventRecord[]): Promise<void> {
    const body = Buffer.from(JSON.stringify(lineageOf(version, inputs)));
    await this.raw.put(version.lineage_key, body, 'application/json');
  }

  /** The input list of a version: from the item when kept there, else from its lineage file. */
  async inputsOf(version: AggregateVersion): Promise<string[]> {
    if (version.input_event_ids) return version.input_event_ids;
    const lineage = JSON.parse((await this.raw.get(version.lineage_key)).toString('utf8')) as Lineage;
    return lineage.inputs.map((i) => i.event_id);
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
