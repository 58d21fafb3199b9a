// Writes aggregate versions incrementally, a batch at a time: version n+1 of a bucket is version n plus
// the new inputs (value by the aggregator's `add`, input hash by addition). All buckets a batch touches
// are committed in one transaction with a contribution item per new input, written only if that event
// never contributed: an event counts once however often it is delivered, and the cost of a message
// does not grow with the size of its bucket. The same transaction counts the batch's events for their
// replays (DONE markers and `processed`). See docs/processor.md, "Write algorithm".
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '../shared/errors/app-error';
import type { EventRecord } from '../shared/events/event-index';
import { RawStore } from '../shared/raw/raw-store';
import { mapLimit } from '../shared/async/map-limit';
import { AggregateStore, AggregateVersion, Contribution, VersionWrite } from './aggregate-store';
import { countedOf, type ReplayMarks } from '../replay/replay-progress';
import { carryOnPointers, commitChunks } from './commit-chunks';
import { PendingMarks } from './pending-marks';
import { KeyedLock } from '../shared/async/keyed-lock';
import type { Aggregator, Bucket } from './aggregator';
import { addToInputHash, bucketKey, mergeSamples, sampleEventId, sortInputs } from './aggregate';
import { lineageKey, lineageOf } from './lineage';
import { NormalisedEvent, normaliseRaw } from './normalise';
import { ProcessorMetrics } from './processor.metrics';
import { IntegrityError } from './message-verifier';

/** Written into every version: which code computed it. */
export const PROCESSOR_VERSION = 'pipescope.processor.v3';
const MAX_ATTEMPTS = 8;
/** Latest versions remembered per process: a hit saves the pointer read; a stale one fails its commit. */
const CACHED_BUCKETS = 10_000;

/** One verified input of a bucket. */
export interface Member {
  event: NormalisedEvent;
  record: EventRecord;
  replayId: string;
}

/** The inputs of one aggregator's bucket in a batch. */
export interface BucketInputs {
  aggregator: Aggregator;
  bucket: Bucket;
  members: Member[];
}

export type WriteOutcome = 'versioned' | 'unchanged';

interface State extends BucketInputs {
  id: string;
  key: string;
  /** Inputs not yet known to be counted. */
  pending: Member[];
  /** What this writer believes the latest version is; `read` once it came from the table. */
  latest?: AggregateVersion;
  read: boolean;
  /** A commit found the pointer elsewhere: read it before the next try (no more assuming it new). */
  stale: boolean;
  outcome?: WriteOutcome;
}

export class AggregateWriter {
  private readonly logger = new Logger(AggregateWriter.name);
  private readonly locks = new KeyedLock();
  private readonly cache = new Map<string, AggregateVersion>();

  constructor(
    private readonly store: AggregateStore,
    private readonly raw: RawStore,
    private readonly metrics: ProcessorMetrics,
  ) {}

  /**
   * Adds each bucket's inputs and counts the marked events for their replays, committing all of the
   * batch together; one writer per bucket at a time in this process (buckets locked in key order, so
   * batches never wait on each other in a circle). Answers each bucket's outcome, in order; throws
   * when the commit could not be made.
   */
  async write(buckets: BucketInputs[], marks: ReplayMarks[] = []): Promise<WriteOutcome[]> {
    const pending = new PendingMarks(marks);
    const states: State[] = buckets.map((b) => {
      const key = bucketKey(b.bucket);
      const id = `${b.aggregator.name}#${key}`;
      return {
        ...b,
        id,
        key,
        pending: [...new Map(b.members.map((m) => [m.event.event_id, m])).values()],
        read: false,
        stale: false,
      };
    });
    const release = await this.locks.acquire([...new Set(states.map((s) => s.id))].sort());
    try {
      for (const s of states) {
        s.latest = this.cache.get(s.id);
        s.read = s.latest !== undefined;
      }
      for (let attempt = 0; ; attempt++) {
        if (attempt >= MAX_ATTEMPTS)
          throw new AppError('PROCESSOR.CONTENDED', 'aggregates kept changing; will retry');
        const open = states.filter((s) => s.outcome === undefined);
        await mapLimit(
          // A bucket not in the cache is assumed new (most are, in a first replay): its commit says
          // otherwise. One with nothing pending is read: only its pointer can ask for a new version.
          open.filter((s) => !s.read && (s.stale || s.pending.length === 0)),
          16,
          async (s) => this.readLatest(s),
        );
        for (const s of open) absorbFirst(s, pending);
        const writes: { state: State; write: VersionWrite }[] = [];
        for (const s of open) {
          const write = await this.nextVersion(s, pending);
          if (write) writes.push({ state: s, write });
          else s.outcome = 'unchanged';
        }
        if (writes.length === 0 && pending.empty) break;
        if (await this.commit(writes, pending)) break;
        if (attempt > 0) await delay(10 * 2 ** attempt * (0.5 + Math.random()));
      }
      return states.map((s) => s.outcome!);
    } finally {
      release();
    }
  }

  /** The next version of a bucket, or undefined when it has nothing new. */
  private async nextVersion(s: State, pending: PendingMarks): Promise<VersionWrite | undefined> {
    const { aggregator, latest } = s;
    const upgrade = latest !== undefined && latest.aggregator_version !== aggregator.version;
    if (s.pending.length === 0 && !upgrade) return undefined;
    let prior: Contribution[] | undefined;
    if (latest && (upgrade || !aggregator.add)) {
      // No incremental form, or a value of another aggregator version: recompute from every input.
      prior = await this.store.contributions(aggregator.name, s.key);
      this.metrics.itemsRead(prior.length);
      const known = new Set(prior.map((c) => c.event_id));
      // An input found here is never written again, so no refusal says who counted it: its own
      // contribution does (the DONE record it carries).
      for (const c of prior) if (c.counted_for) pending.drop(c.counted_for, [c.event_id]);
      s.pending = s.pending.filter((m) => !known.has(m.event.event_id));
      if (s.pending.length === 0 && !upgrade) return undefined;
    }
    const events = s.pending.map((m) => m.event);
    const value = prior
      ? aggregator.compute([...(await this.load(prior)), ...events])
      : latest
        ? aggregator.add!(latest.value, events)
        : aggregator.compute(events);
    const next = (latest?.version ?? 0) + 1;
    const added = sortInputs(s.pending.map((m) => contributionOf(m, next)));
    const inputHash = addToInputHash(
      latest?.input_hash,
      added.map((c) => c.payload_sha256),
    );
    const sampleOrder = mergeSamples(latest?.sample_order ?? [], added);
    const version: AggregateVersion = {
      aggregator: aggregator.name,
      aggregator_version: aggregator.version,
      key: s.key,
      entity_id: s.bucket.entity_id,
      period: s.bucket.period,
      ...(s.bucket.period.length === 13 ? { hour: s.bucket.period } : {}),
      version: next,
      value,
      input_hash: inputHash,
      input_count: (latest?.input_count ?? 0) + added.length,
      sample_event_ids: sampleOrder.map(sampleEventId),
      sample_order: sampleOrder,
      processor_version: PROCESSOR_VERSION,
      computed_at: '',
      replay_ids: [...new Set(s.pending.map((m) => m.replayId))].sort(),
      lineage_key: '',
      added_event_ids: added.map((c) => c.event_id),
      ...(latest?.first_input
        ? { first_input: latest.first_input }
        : !latest && added.length === 1
          ? { first_input: { ...added[0] } }
          : {}),
    };
    return { version, added, previous: latest?.version ?? 0, ...(latest ? { superseded: latest } : {}) };
  }

  /**
   * Writes the lineage file (when there are versions), then commits the versions and marks (in as few
   * transactions as the item limit allows). True when all committed; otherwise the states and the
   * unmarked events learn what to drop or read again.
   */
  private async commit(
    writes: { state: State; write: VersionWrite }[],
    pending: PendingMarks,
  ): Promise<boolean> {
    const computedAt = new Date().toISOString();
    const lineage = lineageKey(computedAt, randomUUID());
    for (const { write } of writes) {
      write.version.computed_at = computedAt;
      write.version.lineage_key = lineage;
    }
    // Before the commit: a version never names a lineage file that is not there.
    if (writes.length > 0) {
      const body = lineageOf(
        computedAt,
        writes.map((w) => w.write),
      );
      await this.raw.put(lineage, Buffer.from(JSON.stringify(body)), 'application/json');
    }
    let all = true;
    for (const chunk of commitChunks(writes, (w) => w.write, pending.marks())) {
      carryOnPointers(chunk);
      const result = await this.store.commit(
        chunk.writes.map((w) => w.write),
        chunk.marks,
      );
      if (result.committed) {
        for (const { state, write } of chunk.writes) {
          state.outcome = 'versioned';
          this.remember(state.id, write.version);
          this.metrics.version(write.version.aggregator);
        }
        for (const m of chunk.marks) pending.drop(m.replayId, countedOf(m));
        continue;
      }
      all = false;
      chunk.writes.forEach(({ state }, i) => {
        const refusal = result.refusals[i];
        if (!refusal) return;
        const counted = new Set(refusal.counted);
        state.pending = state.pending.filter((m) => !counted.has(m.event.event_id));
        // A contribution found carrying a replay's DONE record: that replay counted its event.
        for (const [eventId, replayId] of refusal.carried) pending.drop(replayId, [eventId]);
        if (refusal.stale) {
          this.cache.delete(state.id);
          state.latest = undefined;
          state.read = false;
          state.stale = true;
        }
      });
      // Marks counted before are dropped; a replay with no job is counted nowhere.
      chunk.marks.forEach((m, j) => {
        const refusal = result.marks[j];
        if (refusal?.jobless) pending.forget(m.replayId);
        else if (refusal) pending.drop(m.replayId, refusal.counted);
      });
      // Writes refused for no reason of their own (another write of the transaction failed) go again.
    }
    if (all && writes.length > 0) {
      this.logger.log(
        {
          op: 'version',
          lineage_key: lineage,
          versions: writes.map((w) => `${w.state.id}#${w.write.version.version}`),
        },
        'aggregate versions written',
      );
    }
    return all;
  }

  private async readLatest(s: State): Promise<void> {
    s.latest = await this.store.latest(s.aggregator.name, s.key);
    s.read = true;
    this.metrics.itemsRead(s.latest ? 1 : 0);
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

/**
 * A bucket's lone first input (on its pointer, no contribution item) counted once: it is no new
 * input, and the replay its pointer carries the DONE record of counted it.
 */
function absorbFirst(s: State, pending: PendingMarks): void {
  const first = s.latest?.first_input;
  if (!first) return;
  s.pending = s.pending.filter((m) => m.event.event_id !== first.event_id);
  if (first.counted_for) pending.drop(first.counted_for, [first.event_id]);
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
