// Port for versioned aggregates (DynamoDB): per (aggregator, bucket) a latest pointer holding the
// latest version, an immutable item per earlier version, and one contribution item per input event,
// which makes each event count once and is the bucket's lineage (which version added which event). A commit also counts the events it aggregated
// for their replays (the replay contract's ReplayMarks), in the same transaction.
import type { ReplayMarks, MarksRefusal } from '../replay/replay-progress';

export interface AggregateVersion {
  /** The aggregator's name and version that computed the value. */
  aggregator: string;
  aggregator_version: string;
  /** `<entity_id>@<period>`. */
  key: string;
  entity_id: string;
  /** `YYYY-MM-DDTHH` or `YYYY-MM-DD`. */
  period: string;
  /** The period again when it is an hour (the built-in aggregator's buckets). */
  hour?: string;
  /** 1, 2, ... per (aggregator, key). */
  version: number;
  value: unknown;
  input_hash: string;
  input_count: number;
  sample_event_ids: string[];
  /** Order keys (`<occurred_at>#<event_id>`) of the samples: the next version merges new inputs in. */
  sample_order: string[];
  processor_version: string;
  computed_at: string;
  /** The replays whose messages caused this version. */
  replay_ids: string[];
  /** S3 key of the lineage file of the inputs this version added. */
  lineage_key: string;
  /** The inputs this version added to the previous one. */
  added_event_ids: string[];
  /** All input event ids: filled in by the read API from the contributions, never stored. */
  input_event_ids?: string[];
  /**
   * The input that created the bucket alone (its first version had no other), kept on the pointer and
   * every later version instead of a contribution item. Internal: the read API does not show it.
   */
  first_input?: FirstInput;
}

/** One input event of a bucket, recorded once, with the version that added it. */
export interface Contribution {
  event_id: string;
  payload_sha256: string;
  source: string;
  type: string;
  occurred_at: string;
  s3_key: string;
  s3_range?: [number, number];
  version: number;
  /** The replay whose DONE record the contribution carries (see AggregateStore.commit), if any. */
  counted_for?: string;
}

/** A bucket's lone first input, held on its versions (AggregateVersion.first_input). */
export interface FirstInput extends Contribution {
  /** The progress shard of `counted_for` (the pointer carries that DONE record); absent when unsharded. */
  counted_shard?: number;
}

/** One bucket's next version: its new contributions and the version the pointer must still name. */
export interface VersionWrite {
  version: AggregateVersion;
  added: Contribution[];
  /** The version the latest pointer names now; 0 for a bucket with none. */
  previous: number;
  /**
   * That version, whole (required when `previous` > 0): the commit that moves the pointer on writes
   * it to its own item, so a version's item exists once it is no longer the latest.
   */
  superseded?: AggregateVersion;
}

/** Why a write of a refused commit did not hold. */
export interface WriteRefusal {
  /** Inputs another delivery already contributed. */
  counted: string[];
  /** Of those, the ones whose contribution carries a replay's DONE record: [event id, replay id]. */
  carried: [string, string][];
  /** The pointer no longer names `previous` (or another writer was at it): read it again. */
  stale: boolean;
}

export type CommitResult =
  | { committed: true }
  /**
   * Nothing was written; `refusals[i]` says why write i did not hold, `marks[j]` why marks j did not
   * (undefined: it did, and was refused only with the rest).
   */
  | { committed: false; refusals: (WriteRefusal | undefined)[]; marks: (MarksRefusal | undefined)[] };

/** TransactWriteItems takes 100 items: a commit's writes and marks hold at most this many together. */
export const COMMIT_MAX_ITEMS = 100;

/**
 * A write that creates its bucket with one input keeps that input on the pointer (`first_input`): no
 * contribution item, and the pointer carries the input's DONE record when the commit counts it.
 */
export const isInline = (w: VersionWrite): boolean => w.previous === 0 && w.version.first_input !== undefined;

/** The items a write takes in a commit: its contributions, the superseded version and the pointer. */
export const itemsOf = (w: VersionWrite): number =>
  isInline(w) ? 1 : w.added.length + (w.previous > 0 ? 1 : 0) + 1;

export abstract class AggregateStore {
  /** The latest version of a bucket (strongly consistent), or undefined when it has none. */
  abstract latest(aggregator: string, key: string): Promise<AggregateVersion | undefined>;
  /**
   * Writes, in one transaction, for each write its contributions (each only if the event never
   * contributed), the superseded version's own item, and the latest pointer holding the new version
   * (only if it still names `previous`); and for each replay's marks a DONE marker per event of
   * `eventIds` (only if absent), the DONE record of each `carried` event on its first contribution in
   * `writes`, and `processed` raised by their number (only if the job exists): all or none. Marks name each replay once; an event is carried for at
   * most one replay, and only by a write that adds it.
   */
  abstract commit(writes: VersionWrite[], marks?: ReplayMarks[]): Promise<CommitResult>;
  /** The contributions of a bucket, of versions up to `upTo` when given. */
  abstract contributions(aggregator: string, key: string, upTo?: number): Promise<Contribution[]>;
  /** One event's contribution to a bucket, or undefined when it is no input of it. */
  abstract contribution(aggregator: string, key: string, eventId: string): Promise<Contribution | undefined>;
  abstract getVersion(
    aggregator: string,
    key: string,
    version: number,
  ): Promise<AggregateVersion | undefined>;
  /** Every version of a bucket, oldest first. */
  abstract versions(aggregator: string, key: string): Promise<AggregateVersion[]>;
  /** The latest version of each bucket of an entity whose period starts in [fromHour, toHour]. */
  abstract latestOfEntity(
    entityId: string,
    fromHour: string,
    toHour: string,
    aggregator?: string,
  ): Promise<AggregateVersion[]>;
}
