// Writes the versions of one (aggregator, bucket) incrementally: version n+1 is version n plus the new
// inputs (value by the aggregator's `add`, input hash by addition), committed in one transaction with
// a contribution item per new input, written only if that event never contributed. So an event counts
// once however often it is delivered, and the cost of a message does not grow with its bucket.
import { Logger } from '@nestjs/common';
import { AppError } from '../shared/errors/app-error';
import type { EventRecord } from '../shared/events/event-index';
import { RawStore } from '../shared/raw/raw-store';
import { mapLimit } from '../shared/async/map-limit';
import { AggregateStore, AggregateVersion, Contribution } from './aggregate-store';
import type { Aggregator, Bucket } from './aggregator';
import { addToInputHash, bucketKey, mergeSamples, sampleEventId, sortInputs } from './aggregate';
import { lineageKey, lineageOf } from './lineage';
import { NormalisedEvent, normaliseRaw } from './normalise';
import { ProcessorMetrics } from './processor.metrics';
import { IntegrityError } from './message-verifier';

/** Written into every version: which code computed it. */
export const PROCESSOR_VERSION = 'pipescope.processor.v2';
const MAX_ATTEMPTS = 8;
/** Latest versions remembered per process (a hit saves the pointer read; a stale one fails its commit). */
const CACHED_BUCKETS = 10_000;

/** One verified input of a bucket. */
export interface Member {
  event: NormalisedEvent;
  record: EventRecord;
  replayId: string;
}

export interface WriteResult {
  outcome: 'versioned' | 'unchanged';
  version: number;
}

export class AggregateWriter {
  private readonly logger = new Logger(AggregateWriter.name);
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly cache = new Map<string, AggregateVersion>();

  constructor(
    private readonly store: AggregateStore,
    private readonly raw: RawStore,
    private readonly metrics: ProcessorMetrics,
  ) {}

  /** Adds the members to their bucket; one write per bucket at a time in this process. */
  write(aggregator: Aggregator, bucket: Bucket, members: Member[]): Promise<WriteResult> {
    const id = `${aggregator.name}#${bucketKey(bucket)}`;
    const before = this.queues.get(id) ?? Promise.resolve();
    const mine = before.then(() => this.writeNow(id, aggregator, bucket, members));
    const tail = mine.catch(() => undefined);
    this.queues.set(id, tail);
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    });
    return mine;
  }

  private async writeNow(
    id: string,
    aggregator: Aggregator,
    bucket: Bucket,
    members: Member[],
  ): Promise<WriteResult> {
    const key = bucketKey(bucket);
    let pending = [...new Map(members.map((m) => [m.event.event_id, m])).values()];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const latest = this.cache.get(id) ?? (await this.readLatest(aggregator.name, key));
      const upgrade = latest !== undefined && latest.aggregator_version !== aggregator.version;
      if (pending.length === 0 && !upgrade) return { outcome: 'unchanged', version: latest?.version ?? 0 };
      let prior: Contribution[] | undefined;
      if (latest && (upgrade || !aggregator.add)) {
        // No incremental form, or a value of another aggregator version: recompute from every input.
        prior = await this.store.contributions(aggregator.name, key);
        this.metrics.itemsRead(prior.length);
        const known = new Set(prior.map((c) => c.event_id));
        pending = pending.filter((m) => !known.has(m.event.event_id));
        if (pending.length === 0 && !upgrade) return { outcome: 'unchanged', version: latest.version };
      }
      const events = pending.map((m) => m.event);
      const value = prior
        ? aggregator.compute([...(await this.load(prior)), ...events])
        : latest
          ? aggregator.add!(latest.value, events)
          : aggregator.compute(events);
      const next = (latest?.version ?? 0) + 1;
      const added = sortInputs(pending.map((m) => contributionOf(m, next)));
      const inputHash = addToInputHash(
        latest?.input_hash,
        added.map((c) => c.payload_sha256),
      );
      const sampleOrder = mergeSamples(latest?.sample_order ?? [], added);
      const version: AggregateVersion = {
        aggregator: aggregator.name,
        aggregator_version: aggregator.version,
        key,
        entity_id: bucket.entity_id,
        period: bucket.period,
        ...(bucket.period.length === 13 ? { hour: bucket.period } : {}),
        version: next,
        value,
        input_hash: inputHash,
        input_count: (latest?.input_count ?? 0) + added.length,
        sample_event_ids: sampleOrder.map(sampleEventId),
        sample_order: sampleOrder,
        processor_version: PROCESSOR_VERSION,
        computed_at: new Date().toISOString(),
        replay_ids: [...new Set(pending.map((m) => m.replayId))].sort(),
        lineage_key: lineageKey(aggregator.name, key, next, inputHash),
        added_event_ids: added.map((c) => c.event_id),
      };
      // The lineage file first: a committed version always has one (a failed commit leaves a spare).
      const body = Buffer.from(JSON.stringify(lineageOf(version, added, latest)));
      await this.raw.put(version.lineage_key, body, 'application/json');
      const result = await this.store.commit(version, added, latest?.version ?? 0);
      if (result.committed) {
        this.remember(id, version);
        this.metrics.version(aggregator.name);
        this.logger.log(
          {
            op: 'version',
            aggregator: aggregator.name,
            key,
            version: next,
            input_count: version.input_count,
          },
          'aggregate version written',
        );
        return { outcome: 'versioned', version: next };
      }
      this.cache.delete(id);
      const counted = new Set(result.counted);
      pending = pending.filter((m) => !counted.has(m.event.event_id));
      if (result.stale && attempt > 0) await delay(10 * 2 ** attempt * (0.5 + Math.random()));
    }
    throw new AppError(
      'PROCESSOR.CONTENDED',
      `aggregate ${aggregator.name} ${key} kept changing; will retry`,
    );
  }

  private async readLatest(aggregator: string, key: string): Promise<AggregateVersion | undefined> {
    const latest = await this.store.latest(aggregator, key);
    this.metrics.itemsRead(latest ? 1 : 0);
    return latest;
  }

  private remember(id: string, version: AggregateVersion): void {
    this.cache.delete(id);
    this.cache.set(id, version);
    if (this.cache.size > CACHED_BUCKETS) this.cache.delete(this.cache.keys().next().value!);
  }

  /** The normalised events of earlier contributions, read back from their raw objects. */
  private async load(prior: Contribution[]): Promise<NormalisedEvent[]> {
    return mapLimit(prior, 16, async (c) => {
      const bytes = await this.raw.get(c.s3_key, c.s3_range);
      this.metrics.rawBytesRead(bytes.length);
      const n = normaliseRaw(bytes);
      if (!n.ok) throw new IntegrityError('raw_unreadable', `input ${c.event_id}: ${n.reason}`, c.event_id);
      return n.event;
    });
  }
}

function contributionOf(m: Member, version: number): Contribution {
  return {
    event_id: m.event.event_id,
    payload_sha256: m.event.payload_sha256,
    source: m.event.source,
    type: m.event.type,
    occurred_at: m.event.occurred_at,
    s3_key: m.record.s3_key,
    ...(m.record.s3_range ? { s3_range: m.record.s3_range } : {}),
    version,
  };
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
