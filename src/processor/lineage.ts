// Lineage files in S3: every input of an aggregate version, so any output traces back to raw objects.
import type { EventRecord } from '../shared/events/event-index';
import type { AggregateVersion } from './aggregate-store';
import { sortInputs } from './aggregate';
import { sha256Hex } from '../shared/identity/event-identity';

export interface LineageInput {
  event_id: string;
  payload_sha256: string;
  source: string;
  type: string;
  occurred_at: string;
  s3_key: string;
  s3_range?: [number, number];
}

export interface Lineage {
  key: string;
  version: number;
  input_hash: string;
  input_count: number;
  processor_version: string;
  computed_at: string;
  replay_ids: string[];
  inputs: LineageInput[];
}

/** Longest URL-encoded aggregate key used as is: one path segment stays a valid file name everywhere. */
export const READABLE_KEY_CHARS = 200;

/**
 * `lineage/<URL-encoded aggregate key>/v<version>.json`, or `lineage/sha256=<hex of the key>/v<version>.json`
 * when the encoded key is longer than READABLE_KEY_CHARS (an entity_id of 256 characters outside ASCII
 * encodes to over 2,000, past S3's 1,024-byte key limit). Each version records its own lineage_key.
 */
export function lineageKey(key: string, version: number): string {
  const encoded = encodeURIComponent(key);
  const segment = encoded.length <= READABLE_KEY_CHARS ? encoded : `sha256=${sha256Hex(key)}`;
  return `lineage/${segment}/v${version}.json`;
}

/** The lineage document of a version computed from `inputs`, inputs in the version's hash order. */
export function lineageOf(version: AggregateVersion, inputs: EventRecord[]): Lineage {
  return {
    key: version.key,
    version: version.version,
    input_hash: version.input_hash,
    input_count: version.input_count,
    processor_version: version.processor_version,
    computed_at: version.computed_at,
    replay_ids: version.replay_ids,
    inputs: sortInputs(inputs).map((e): LineageInput => ({
      event_id: e.event_id,
      payload_sha256: e.payload_sha256,
      source: e.source,
      type: e.type,
      occurred_at: e.occurred_at,
      s3_key: e.s3_key,
      ...(e.s3_range ? { s3_range: e.s3_range } : {}),
    })),
  };
}
