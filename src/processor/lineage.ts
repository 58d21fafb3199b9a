// Lineage files in S3: the inputs each aggregate version added, with their raw objects, so any output
// traces back to raw events in the lake. The full input list of version n is the union of the files
// of versions 1..n, and the same as the bucket's contributions in DynamoDB (the API reads those).
import type { AggregateVersion, Contribution } from './aggregate-store';
import { sortInputs } from './aggregate';
import { sha256Hex } from '../shared/identity/event-identity';

export type LineageInput = Omit<Contribution, 'version'>;

export interface Lineage {
  aggregator: string;
  aggregator_version: string;
  key: string;
  version: number;
  input_hash: string;
  input_count: number;
  processor_version: string;
  computed_at: string;
  replay_ids: string[];
  /** The lineage file of the previous version (absent for version 1). */
  previous_lineage_key?: string;
  /** The inputs this version added, by occurred_at then event_id. */
  added_inputs: LineageInput[];
}

/** Longest URL-encoded aggregate key used as is: one path segment stays a valid file name everywhere. */
export const READABLE_KEY_CHARS = 200;

/**
 * `lineage/<aggregator>/<URL-encoded key>/v<version>-<first 16 hex of input_hash>.json`, or with
 * `sha256=<hex of the key>` as the key segment when the encoded key is longer than READABLE_KEY_CHARS
 * (an entity_id of 256 characters outside ASCII encodes to over 2,000, past S3's 1,024-byte limit).
 * The hash suffix keeps two writers racing for one version number from overwriting each other's file.
 */
export function lineageKey(aggregator: string, key: string, version: number, inputHash: string): string {
  const encoded = encodeURIComponent(key);
  const segment = encoded.length <= READABLE_KEY_CHARS ? encoded : `sha256=${sha256Hex(key)}`;
  return `lineage/${aggregator}/${segment}/v${version}-${inputHash.slice(0, 16)}.json`;
}

export function lineageOf(
  version: AggregateVersion,
  added: readonly Contribution[],
  previous?: AggregateVersion,
): Lineage {
  return {
    aggregator: version.aggregator,
    aggregator_version: version.aggregator_version,
    key: version.key,
    version: version.version,
    input_hash: version.input_hash,
    input_count: version.input_count,
    processor_version: version.processor_version,
    computed_at: version.computed_at,
    replay_ids: version.replay_ids,
    ...(previous ? { previous_lineage_key: previous.lineage_key } : {}),
    added_inputs: sortInputs(added).map((c): LineageInput => {
      const rest: Partial<Contribution> = { ...c };
      delete rest.version;
      return rest as LineageInput;
    }),
  };
}
