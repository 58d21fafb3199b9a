// Port for versioned aggregates (DynamoDB): immutable version items plus a latest pointer per key.

export interface AggregateVersion {
  /** `<entity_id>@<YYYY-MM-DDTHH>`. */
  key: string;
  entity_id: string;
  hour: string;
  /** 1, 2, ... per key. */
  version: number;
  value: {
    count: number;
    by_type: Record<string, number>;
    first_occurred_at: string | null;
    last_occurred_at: string | null;
  };
  input_hash: string;
  input_count: number;
  sample_event_ids: string[];
  processor_version: string;
  computed_at: string;
  /** The replays whose messages caused this version. */
  replay_ids: string[];
  /** S3 key of the full input list. */
  lineage_key: string;
  /** All input event ids, kept in the item when there are few enough; otherwise read lineage_key. */
  input_event_ids?: string[];
}

export abstract class AggregateStore {
  /** The highest version of a key (strongly consistent), or undefined when it has none. */
  abstract latestVersion(key: string): Promise<AggregateVersion | undefined>;
  /** Version number the latest pointer names; undefined when there is no pointer yet. */
  abstract pointerVersion(key: string): Promise<number | undefined>;
  /** Conditional create of version n: false when that version already exists (another writer won). */
  abstract putVersion(version: AggregateVersion): Promise<boolean>;
  /** Moves the latest pointer forward to this version; never backwards. */
  abstract advanceLatest(version: AggregateVersion): Promise<void>;
  abstract getVersion(key: string, version: number): Promise<AggregateVersion | undefined>;
  /** Every version of a key, oldest first. */
  abstract versions(key: string): Promise<AggregateVersion[]>;
  /** The latest version of each bucket of an entity with hour in [fromHour, toHour], oldest first. */
  abstract latestOfEntity(entityId: string, fromHour: string, toHour: string): Promise<AggregateVersion[]>;
}
