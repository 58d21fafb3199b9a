// The single-table key design. docs/data-model.md lists each access pattern and the key that serves it.
// Every timestamp in a key is ISO 8601 UTC with milliseconds, so string order is time order.

export const GSI = ['gsi1', 'gsi2', 'gsi3', 'gsi4'] as const;
export type GsiName = (typeof GSI)[number];

export const dayOf = (iso: string): string => iso.slice(0, 10);
export const hourOf = (iso: string): string => iso.slice(0, 13);

const counterPartition = (hour: string, shard: number): string =>
  shard === 0 ? `CNT#${hour}` : `CNT#${hour}#${shard}`;

/** Shard 0 is the key from before sharding, so rows written then (and SOURCE_INDEX_SHARDS=1) read unchanged. */
const sourceDay = (source: string, day: string, shard = 0): string =>
  shard === 0 ? `SRC#${source}#${day}` : `SRC#${source}#${day}#${shard}`;

export const keys = {
  event: (eventId: string) => ({ pk: `EVT#${eventId}`, sk: '#EVT' }),
  attemptPrefix: 'ATT#',
  /** An attempt's own id, never the client's request id, keys it: each repeat keeps its record. */
  attempt: (eventId: string, receivedAt: string, attemptId: string) => ({
    pk: `EVT#${eventId}`,
    sk: `ATT#${receivedAt}#${attemptId}`,
  }),
  /** gsi1: an entity's events by occurred_at. */
  entity: (entityId: string) => `ENT#${entityId}`,
  /**
   * gsi2: a source's events by received_at, one partition per received day and index shard
   * (SOURCE_INDEX_SHARDS, see sourceShard): `SRC#<source>#<day>` for shard 0, `SRC#<source>#<day>#<k>` for k > 0.
   */
  sourceDay,
  /** Every shard's gsi2 key of a source's day, shard 0 first: readers query them all and merge. */
  sourceDayShards: (source: string, day: string, shards: number): string[] =>
    Array.from({ length: Math.max(1, shards) }, (_, shard) => sourceDay(source, day, shard)),
  /** gsi3 (sparse): late arrivals of a source by received_at, per day. */
  lateDay: (source: string, day: string) => `LATE#${source}#${day}`,
  /** gsi4 (sparse): events first repeated on a day, by first_duplicate_at. */
  duplicateDay: (source: string, day: string) => `DUP#${source}#${day}`,
  /** gsi4 (sparse): conflicting attempts of a source on a day. */
  conflictDay: (source: string, day: string) => `CONF#${source}#${day}`,
  rejected: (id: string) => ({ pk: `REJ#${id}`, sk: '#REJ' }),
  /** gsi2: rejected rows of a source (or of unreadable source `~`) per day. */
  rejectedSourceDay: (source: string | undefined, day: string) => `REJ#${source ?? '~'}#${day}`,
  /** gsi3: all rejected rows per day. */
  rejectedDay: (day: string) => `REJALL#${day}`,
  /**
   * A counter row of one shard of an hour (docs/scaling.md). Shard 0 is `CNT#<hour>`, the layout before
   * sharding, so rows written then are read as shard 0; shard k > 0 is `CNT#<hour>#<k>`.
   */
  counter: (hour: string, shard: number, source: string, type: string) => ({
    pk: counterPartition(hour, shard),
    sk: `${source}#${type}`,
  }),
  counterPartition,
  activity: (source: string, day: string) => ({ pk: `ACT#${source}`, sk: day }),
  activitySource: (source: string) => `ACT#${source}`,
  sortKey: (iso: string, id: string) => `${iso}#${id}`,
  /** A replay job; the processor ADDs `processed` to this same item. */
  replayJob: (replayId: string) => ({ pk: `REPLAY#${replayId}`, sk: '#JOB' }),
  /** gsi1: every replay job, by `<created_at>#<replay_id>` (newest first when read backwards). */
  replays: 'REPLAYS',
  /** gsi2 (sparse): pending and running replay jobs only; removed when a job ends. */
  replaysActive: 'REPLAY_ACTIVE',
  /** A named lease (leader election), see src/shared/lease/. */
  lease: (name: string) => ({ pk: `LEASE#${name}`, sk: '#LEASE' }),
  /** Why the processor could not handle a queue message, by SQS message id (kept into the DLQ). */
  messageFailure: (messageId: string) => ({ pk: `MSGFAIL#${messageId}`, sk: '#FAIL' }),
  /** The shard counts of the sharded layouts, the largest any instance wrote with (src/shared/shards/). */
  shardCounts: { pk: 'META#SHARDS', sk: '#META' },
};

/**
 * The shard a writer adds a (source, type) row to: a hash of the writer (one random id per process),
 * source and type, so one busy row is spread over the shards by the instances writing it, and one
 * instance's rows over the shards by their names. Readers query every shard and sum (docs/scaling.md).
 */
export function counterShard(writer: string, source: string, type: string, shards: number): number {
  return shards <= 1 ? 0 : fnv1a([writer, source, type]) % shards;
}

/**
 * The gsi2 shard of an event: a hash of its event_id, so a source's events of a day spread evenly over
 * SOURCE_INDEX_SHARDS partitions and an event always lands on the same one (docs/scaling.md).
 */
export function sourceShard(eventId: string, shards: number): number {
  return shards <= 1 ? 0 : fnv1a([eventId]) % shards;
}

/** FNV-1a, 32 bits, over texts each ended by `#`: cheap, stable, and even enough over a few dozen shards. */
function fnv1a(texts: string[]): number {
  let h = 0x811c9dc5;
  for (const text of texts) {
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ 0x23, 0x01000193) >>> 0;
  }
  return h;
}

/** Days (YYYY-MM-DD, UTC) touched by a window, oldest first. */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${dayOf(to)}T00:00:00.000Z`);
  for (let t = Date.parse(`${dayOf(from)}T00:00:00.000Z`); t <= end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** Hours (YYYY-MM-DDTHH, UTC) touched by a window, oldest first. */
export function hoursOf(from: string, to: string): string[] {
  const hours: string[] = [];
  const end = Date.parse(`${hourOf(to)}:00:00.000Z`);
  for (let t = Date.parse(`${hourOf(from)}:00:00.000Z`); t <= end; t += 3_600_000) {
    hours.push(new Date(t).toISOString().slice(0, 13));
  }
  return hours;
}

const pad = (version: number): string => String(version).padStart(10, '0');

/** Aggregate versions (processor): one partition per aggregate key, see docs/processor.md. */
export const aggregateKeys = {
  /** One partition per (aggregator, bucket); aggregator names never hold `#`. */
  partition: (aggregator: string, key: string) => `AGG#${aggregator}#${key}`,
  version: (aggregator: string, key: string, version: number) => ({
    pk: aggregateKeys.partition(aggregator, key),
    sk: `V#${pad(version)}`,
  }),
  latest: (aggregator: string, key: string) => ({
    pk: aggregateKeys.partition(aggregator, key),
    sk: '#LATEST',
  }),
  /** One input event of the bucket (its contribution, written once). */
  contribution: (aggregator: string, key: string, eventId: string) => ({
    pk: aggregateKeys.partition(aggregator, key),
    sk: `IN#${eventId}`,
  }),
  contributionPrefix: 'IN#',
  /** gsi1 of #LATEST items: an entity's aggregates by period start, then aggregator. */
  entity: (entityId: string) => `AGGENT#${entityId}`,
  entitySort: (periodStartHour: string, aggregator: string) => `${periodStartHour}#${aggregator}`,
};

const replayPartition = (replayId: string, shard?: number): string =>
  shard === undefined ? `REPLAY#${replayId}` : `REPLAY#${replayId}#${shard}`;
const carriedPartition = (partition: string): string => `${partition}#DONE`;

/**
 * Replay progress written by the processor (docs/data-model.md). A job with `progress_shards` has its
 * DONE markers and a `#COUNT` item in each of that many partitions `REPLAY#<id>#<shard>`; a job
 * without (created before sharding) has its markers beside the job item and `processed` on it. An
 * event counted by the transaction that adds its first contribution carries its DONE record on that
 * contribution (gsi2, `carried`) instead of a marker item.
 */
export const replayProgressKeys = {
  /** The replay job item the replay module owns; the processor ADDs `processed` to it (unsharded jobs). */
  job: keys.replayJob,
  /** Where a replay's markers are: `shard` undefined is the unsharded layout, the job's own partition. */
  partition: replayPartition,
  done: (replayId: string, eventId: string, shard?: number) => ({
    pk: replayPartition(replayId, shard),
    sk: `DONE#${eventId}`,
  }),
  donePrefix: 'DONE#',
  /**
   * gsi2 keys of an event's first contribution when it also counts the event for a replay (its
   * DONE record, carried instead of a marker item): one gsi2 partition per marker partition.
   */
  carried: (replayId: string, eventId: string, shard?: number) => ({
    gsi2pk: carriedPartition(replayPartition(replayId, shard)),
    gsi2sk: eventId,
  }),
  /** The gsi2 partition of the DONE records carried for a marker partition. */
  carriedPartition: (partition: string): string => carriedPartition(partition),
  /** A shard's count of processed events (`ADD processed`); readers sum every shard's. */
  count: (replayId: string, shard: number) => ({ pk: replayPartition(replayId, shard), sk: '#COUNT' }),
};

/** The progress shard of an event of a sharded replay: a stable hash of its id, so redeliveries agree. */
export function progressShard(eventId: string, shards: number): number {
  // The same hash of the event id as the source index's shard: one function, two key spaces.
  return sourceShard(eventId, shards);
}

/** Reconcile jobs (src/reconcile/): the job item and one item per finding in the job's partition. */
export const reconcileKeys = {
  job: (reconcileId: string) => ({ pk: `RECON#${reconcileId}`, sk: '#JOB' }),
  /** A finding; `subject` (an event id, or an S3 key and range) makes re-finding it idempotent. */
  finding: (reconcileId: string, kind: string, subject: string) => ({
    pk: `RECON#${reconcileId}`,
    sk: `F#${kind}#${subject}`,
  }),
  /** Sort-key prefix of a job's findings, of one kind or of all. */
  findingPrefix: (kind?: string) => (kind ? `F#${kind}#` : 'F#'),
  /** gsi1: every reconcile job, by `<created_at>#<reconcile_id>`. */
  jobs: 'RECONCILES',
  /** gsi2 (sparse): pending and running reconcile jobs only; removed when a job ends. */
  active: 'RECONCILE_ACTIVE',
};

/** Alerting (src/alerts/): the stored rules, one hysteresis state per (rule, source), the alerts. */
export const alertKeys = {
  rules: { pk: 'ALERTRULES', sk: '#RULES' },
  /** Every state in one partition: the evaluator reads them all with one Query. */
  statePartition: 'ALERTSTATE',
  state: (rule: string, source: string) => ({ pk: 'ALERTSTATE', sk: `${rule}#${source}` }),
  alert: (alertId: string) => ({ pk: `ALERT#${alertId}`, sk: '#ALERT' }),
  /** gsi1: every alert by `<fired_at>#<alert_id>` (newest first when read backwards). */
  all: 'ALERTS',
  /** gsi2 (sparse): firing alerts only. */
  open: 'ALERTS_OPEN',
  /** gsi3 (sparse): alerts whose latest notification has not been delivered yet. */
  notify: 'ALERTS_NOTIFY',
};

/** Payload schemas (src/schemas/): one partition per (source, type), its head and every version. */
export const schemaKeys = {
  partition: (source: string, type: string) => `SCHEMA#${source}#${type}`,
  head: (source: string, type: string) => ({ pk: `SCHEMA#${source}#${type}`, sk: '#HEAD' }),
  version: (source: string, type: string, version: number) => ({
    pk: `SCHEMA#${source}#${type}`,
    sk: `V#${pad(version)}`,
  }),
  versionPrefix: 'V#',
  /** gsi1: every pair's head, by `<source>#<type>`. */
  all: 'SCHEMAS',
};
