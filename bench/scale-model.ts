// What a given traffic does to DynamoDB partitions and items and to S3 prefixes, computed from the
// app's own key builders and flush policy (never copies of them): the write path (ingest: event
// items and their index keys, counter rows, activity items, raw objects) and the replay/processor
// path (replay checkpoints, sharded progress markers and counts, aggregate versions, raw reads, lineage). Pure: the
// `simulate:scale` script prints it, docs/scaling.md shows it, scale-model.spec.ts tests it.
import {
  aggregateKeys,
  counterShard,
  dayOf,
  hourOf,
  keys,
  progressShard,
  replayProgressKeys,
  sourceShard,
} from '../src/shared/aws/table-keys';
import { COUNTER_WRITES_PER_FLUSH } from '../src/shared/ingest-stats/dynamo-ingest-stats-store';
import { batchRawKey, singleRawKey } from '../src/ingest/raw-keys';
import { bucketKey, hourBucket } from '../src/processor/aggregate';
import { lineageKey } from '../src/processor/lineage';
import {
  activityItem,
  counterRowItem,
  eventIndexItem,
  HOUR,
  itemBytes,
  sampleEventId,
  sourceName,
  typeName,
  wcu,
} from './scale-items';

/** The limits checked, with the AWS documentation that states them. */
export const LIMITS = {
  partitionWcu: 1000,
  partitionRcu: 3000,
  itemBytes: 400 * 1024,
  s3PutPerPrefix: 3500,
  s3GetPerPrefix: 5500,
} as const;

export const LIMIT_SOURCES = {
  partition: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html',
  item: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html',
  s3: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html',
  sqs: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html',
  capacity: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/provisioned-capacity-mode.html',
} as const;

export interface ScaleScenario {
  /** Events ingested per second, all instances together, spread evenly over sources and types. */
  eventsPerSecond: number;
  sources: number;
  types: number;
  /** API instances behind the load balancer (each sees an even share of every pair). */
  instances: number;
  /** Entities the events are about (gsi1 `ENT#`, aggregate buckets). */
  entities: number;
  /** Events per ingest request: 1 is `POST /ingest`, more `POST /ingest/batch`. */
  eventsPerRequest: number;
  /** Share of events that arrive late (gsi3). */
  lateShare: number;
  counterShards: number;
  /** SOURCE_INDEX_SHARDS: gsi2 partitions per source day. */
  sourceIndexShards: number;
  /** COUNTER_FLUSH_MS; 0 writes each request's rows at once. */
  counterFlushMs: number;
  /** SCHEMAS_CACHE_TTL_MS. */
  schemaCacheMs: number;
  /** Messages per second one replay sends (`rate_per_second`), which the processor then consumes. */
  replayPerSecond: number;
  /** REPLAY_CHECKPOINT_BATCHES: a runner checkpoints each half of it (or each REPLAY_CHECKPOINT_MS, 1 s). */
  checkpointBatches: number;
  /** REPLAY_PROGRESS_SHARDS: partitions one replay's progress (markers, counts) is spread over. */
  progressShards: number;
  /** PROCESSOR_BATCH_SIZE, the SQS batch of a Lambda event source or a consumer receive. */
  sqsBatchSize: number;
  /** How long one batch takes the processor (its messages run in parallel), for the concurrency needed. */
  batchMs: number;
}

export type Path = 'ingest' | 'replay/processor';

/** The hottest partition, item or S3 prefix of one kind, per second. */
export interface Load {
  path: Path;
  what: string;
  scope: 'partition' | 'item' | 'S3 prefix';
  /** The key it was computed for (one example of the hottest). */
  key: string;
  writesPerSecond: number;
  readsPerSecond: number;
  /** DynamoDB: WCU/s and RCU/s. S3: PUT/s and GET/s. */
  writeUnits: number;
  readUnits: number;
  writeLimit: number;
  readLimit: number;
  over: boolean;
}

export interface ScaleReport {
  scenario: ScaleScenario;
  loads: Load[];
  itemSizes: { what: string; bytes: number; over: boolean }[];
  /** Lambda invocations (or consumer batches) in flight needed to keep up with the replay. */
  processorConcurrency: number;
  sqsCallsPerSecond: number;
}

/** Sums rates per key, then answers the hottest key of each (what, scope). */
class Tally {
  private readonly byKey = new Map<string, Load>();

  add(
    base: Pick<Load, 'path' | 'what' | 'scope' | 'key' | 'writeLimit' | 'readLimit'>,
    rates: { writes?: number; reads?: number; writeUnits?: number; readUnits?: number },
  ): void {
    const id = `${base.what}|${base.scope}|${base.key}`;
    const load = this.byKey.get(id) ?? {
      ...base,
      writesPerSecond: 0,
      readsPerSecond: 0,
      writeUnits: 0,
      readUnits: 0,
      over: false,
    };
    load.writesPerSecond += rates.writes ?? 0;
    load.readsPerSecond += rates.reads ?? 0;
    load.writeUnits += rates.writeUnits ?? 0;
    load.readUnits += rates.readUnits ?? 0;
    this.byKey.set(id, load);
  }

  hottest(): Load[] {
    const top = new Map<string, Load>();
    for (const load of this.byKey.values()) {
      load.over = load.writeUnits > load.writeLimit || load.readUnits > load.readLimit;
      const id = `${load.path}|${load.what}|${load.scope}`;
      const seen = top.get(id);
      const weight = (l: Load) => Math.max(l.writeUnits / l.writeLimit, l.readUnits / l.readLimit);
      if (!seen || weight(load) > weight(seen)) top.set(id, load);
    }
    return [...top.values()];
  }
}

/** Event ids the source-day shares are computed over: enough that a shard's share is within ~2%. */
export const EVENT_ID_SAMPLE = 65_536;

/**
 * The share of a source's events each source index shard takes, from a run of ids shaped like real
 * ones put through the app's own shard function, with one id of each shard to build its key with.
 */
export function sourceShardShares(shards: number): { id: string; share: number }[] {
  const byShard = new Map<number, { id: string; share: number }>();
  for (let n = 0; n < EVENT_ID_SAMPLE; n++) {
    const id = sampleEventId(n);
    const shard = sourceShard(id, shards);
    const seen = byShard.get(shard) ?? { id, share: 0 };
    seen.share += 1 / EVENT_ID_SAMPLE;
    byShard.set(shard, seen);
  }
  return [...byShard.values()];
}

const DYNAMO = { writeLimit: LIMITS.partitionWcu, readLimit: LIMITS.partitionRcu };
const S3 = { writeLimit: LIMITS.s3PutPerPrefix, readLimit: LIMITS.s3GetPerPrefix };
const prefixOf = (key: string): string => key.slice(0, key.lastIndexOf('/') + 1);

/**
 * Writes per second one instance makes to one counter row fed `perSecond` events: with a flush
 * interval, one flush per interval that saw any of them (Poisson arrivals); without, one per request.
 */
export function rowWritesPerSecond(perSecond: number, flushMs: number, eventsPerRequest: number): number {
  if (flushMs <= 0) return perSecond / Math.max(1, Math.min(eventsPerRequest, perSecond));
  const seconds = flushMs / 1000;
  return (1 - Math.exp(-perSecond * seconds)) / seconds;
}

/** Writes per second one instance makes to a source's activity item: once per minute it was active. */
export function activityWritesPerSecond(perSecond: number): number {
  return (1 - Math.exp(-perSecond * 60)) / 60;
}

function ingestPath(s: ScaleScenario, t: Tally): void {
  const pairs = s.sources * s.types;
  const perPair = s.eventsPerSecond / pairs;
  const perSource = s.eventsPerSecond / s.sources;
  const entity = 'entity-000001';
  const eventBytes = itemBytes(eventIndexItem(sourceName(0), typeName(0), entity, true));
  const eventWcu = wcu(eventBytes);
  const ingest = { path: 'ingest' as const };
  const shares = sourceShardShares(s.sourceIndexShards);
  for (let si = 0; si < s.sources; si++) {
    const source = sourceName(si);
    const item = eventIndexItem(source, typeName(0), entity, true);
    // Each event item is written once under its own key; its index keys gather many. The source-day
    // key's shard is a hash of the event id (SOURCE_INDEX_SHARDS), whatever the source.
    for (const { id, share } of shares) {
      const key = String(eventIndexItem(source, typeName(0), entity, true, s.sourceIndexShards, id).gsi2pk);
      t.add(
        { ...ingest, ...DYNAMO, what: 'gsi2 source-day', scope: 'partition', key },
        { writes: perSource * share, writeUnits: perSource * share * eventWcu },
      );
    }
    const late = perSource * s.lateShare;
    t.add(
      { ...ingest, ...DYNAMO, what: 'gsi3 late source-day', scope: 'partition', key: String(item.gsi3pk) },
      {
        writes: late,
        writeUnits: late * eventWcu,
      },
    );
    // Raw objects: one per event under the source's hour, or one per batch under the hour.
    const perRequest = s.eventsPerRequest;
    const rawKey =
      perRequest > 1
        ? batchRawKey(HOUR, Buffer.from('batch'))
        : singleRawKey(source, HOUR, 'e'.repeat(32), Buffer.from('{}'));
    const puts = perRequest > 1 ? perSource / perRequest : perSource;
    t.add(
      { ...ingest, ...S3, what: 'raw objects', scope: 'S3 prefix', key: prefixOf(rawKey) },
      {
        writes: puts,
        writeUnits: puts,
      },
    );
    const activityWcu = wcu(itemBytes(activityItem(source)));
    const activity = activityWritesPerSecond(perSource / s.instances) * s.instances;
    const act = keys.activity(source, dayOf(HOUR));
    for (const scope of ['partition', 'item'] as const) {
      t.add(
        {
          ...ingest,
          ...DYNAMO,
          what: 'activity',
          scope,
          key: scope === 'item' ? `${act.pk} ${act.sk}` : act.pk,
        },
        {
          writes: activity,
          writeUnits: activity * activityWcu,
        },
      );
    }
    for (let ti = 0; ti < s.types; ti++) {
      const type = typeName(ti);
      const perInstance = perPair / s.instances;
      const writes =
        rowWritesPerSecond(perInstance, s.counterFlushMs, s.eventsPerRequest) * COUNTER_WRITES_PER_FLUSH;
      const rowWcu = new Map<number, number>();
      for (let i = 0; i < s.instances; i++) {
        const shard = counterShard(`instance-${i}`, source, type, s.counterShards);
        if (!rowWcu.has(shard)) rowWcu.set(shard, wcu(itemBytes(counterRowItem(source, type, shard))));
        const units = writes * rowWcu.get(shard)!;
        const key = keys.counter(hourOf(HOUR), shard, source, type);
        t.add(
          { ...ingest, ...DYNAMO, what: 'counter rows', scope: 'partition', key: key.pk },
          {
            writes,
            writeUnits: units,
          },
        );
        t.add(
          { ...ingest, ...DYNAMO, what: 'counter rows', scope: 'item', key: `${key.pk} ${key.sk}` },
          {
            writes,
            writeUnits: units,
          },
        );
      }
      // Each instance reads a pair's schemas once per cache period (4 KB, strongly consistent: 1 RCU).
      const reads = s.schemaCacheMs > 0 ? s.instances / (s.schemaCacheMs / 1000) : perPair;
      t.add(
        { ...ingest, ...DYNAMO, what: 'schema lookups', scope: 'partition', key: `SCHEMA#${source}#${type}` },
        {
          reads,
          readUnits: reads,
        },
      );
    }
  }
  // Events spread evenly over entities; each entity's events share its gsi1 partition.
  const perEntity = s.eventsPerSecond / s.entities;
  t.add(
    { ...ingest, ...DYNAMO, what: 'gsi1 entity', scope: 'partition', key: keys.entity(entity) },
    {
      writes: perEntity,
      writeUnits: perEntity * eventWcu,
    },
  );
}

function replayPath(s: ScaleScenario, t: Tally): void {
  const path = 'replay/processor' as const;
  const rate = s.replayPerSecond;
  if (rate <= 0) return;
  const replayId = '00000000-0000-4000-8000-000000000000';
  const job = replayProgressKeys.job(replayId);
  // The runner checkpoints the job every REPLAY_CHECKPOINT_MS (1 s) or half of
  // REPLAY_CHECKPOINT_BATCHES batches of 10, whichever comes first. The processor never writes the job
  // item of a job with progress_shards.
  const checkpoints = Math.max(1, rate / (Math.ceil(s.checkpointBatches / 2) * 10));
  t.add(
    { path, ...DYNAMO, what: 'replay job', scope: 'item', key: `${job.pk} ${job.sk}` },
    { writes: checkpoints, writeUnits: checkpoints },
  );
  // The processor counts a batch's messages in its aggregate transaction: a DONE marker per message
  // in its event's progress shard (progressShard of its id), and one ADD of `processed` on the count
  // item of the batch's first event's shard (countItemsOf), two units each (transactional writes).
  // That is the worst case, a replay of events contributed before; an event the transaction adds a
  // contribution for carries its DONE record on it instead (a gsi2 entry in the shard's
  // `REPLAY#<id>#<shard>#DONE` partition, one unit), spread the same way.
  // Modelled over one second's event ids, in batches.
  const sample = Math.min(Math.ceil(rate), EVENT_ID_SAMPLE);
  const scale = rate / sample;
  for (let i = 0; i < sample; i += s.sqsBatchSize) {
    const batch = Array.from({ length: Math.min(s.sqsBatchSize, sample - i) }, (_, k) =>
      sampleEventId(i + k),
    );
    for (const id of batch) {
      const marker = replayProgressKeys.done(replayId, id, progressShard(id, s.progressShards));
      t.add(
        { path, ...DYNAMO, what: 'replay progress shard', scope: 'partition', key: marker.pk },
        { writes: scale, writeUnits: 2 * scale },
      );
    }
    const count = replayProgressKeys.count(replayId, progressShard(batch[0], s.progressShards));
    t.add(
      { path, ...DYNAMO, what: 'replay progress shard', scope: 'partition', key: count.pk },
      { writes: scale, writeUnits: 2 * scale },
    );
    t.add(
      { path, ...DYNAMO, what: 'replay progress count', scope: 'item', key: `${count.pk} ${count.sk}` },
      { writes: scale, writeUnits: 2 * scale },
    );
  }
  // Each message adds one contribution item to its bucket's partition (entity x hour, per aggregator),
  // written conditionally; each batch commits, per bucket it touched, one version (listing the ids it
  // added) and the #LATEST pointer. No bucket is re-read: the event items come from one BatchGetItem
  // per batch, each on its own EVT# partition (never hot). Worst case: a batch's messages all fall in
  // one bucket, so a bucket sees one commit per PROCESSOR_BATCH_SIZE messages.
  const perEntity = rate / s.entities;
  const batchSize = 10;
  const bucket = bucketKey(hourBucket('entity-000001', HOUR));
  const versionBytes = 600 + batchSize * 35;
  const commits = perEntity / batchSize;
  t.add(
    {
      path,
      ...DYNAMO,
      what: 'aggregate contributions and versions',
      scope: 'partition',
      key: aggregateKeys.latest('entity_hour', bucket).pk,
    },
    {
      writes: perEntity + 2 * commits,
      writeUnits: perEntity + commits * (wcu(versionBytes) + 1),
    },
  );
  // Raw bytes read back: per source hour (single events) or all under the hour (batches).
  const rawKey =
    s.eventsPerRequest > 1
      ? batchRawKey(HOUR, Buffer.from('batch'))
      : singleRawKey(sourceName(0), HOUR, 'e'.repeat(32), Buffer.from('{}'));
  const gets = s.eventsPerRequest > 1 ? rate : rate / s.sources;
  t.add(
    { path, ...S3, what: 'raw objects read', scope: 'S3 prefix', key: prefixOf(rawKey) },
    {
      reads: gets,
      readUnits: gets,
    },
  );
  // One lineage file per commit, under the day it was computed.
  const lineage = lineageKey(HOUR, 'commit-id');
  t.add(
    { path, ...S3, what: 'lineage objects', scope: 'S3 prefix', key: prefixOf(lineage) },
    {
      writes: commits,
      writeUnits: commits,
    },
  );
}

export function simulate(s: ScaleScenario): ScaleReport {
  const t = new Tally();
  ingestPath(s, t);
  replayPath(s, t);
  const sizes = [
    { what: 'counter row', bytes: itemBytes(counterRowItem(sourceName(0), typeName(0), 0)) },
    { what: 'activity item (1,440 minutes)', bytes: itemBytes(activityItem(sourceName(0))) },
    {
      what: 'event index item',
      bytes: itemBytes(eventIndexItem(sourceName(0), typeName(0), 'entity', true)),
    },
  ];
  return {
    scenario: s,
    loads: t.hottest(),
    itemSizes: sizes.map((x) => ({ ...x, over: x.bytes > LIMITS.itemBytes })),
    processorConcurrency: Math.ceil((s.replayPerSecond / s.sqsBatchSize) * (s.batchMs / 1000)),
    // ReceiveMessage and DeleteMessageBatch per batch; standard queues have no such limit.
    sqsCallsPerSecond: (2 * s.replayPerSecond) / s.sqsBatchSize,
  };
}
