// Lineage files in S3: every input of an aggregate version, so any output traces back to raw objects.

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

/** `lineage/<URL-encoded aggregate key>/v<version>.json`. */
export function lineageKey(key: string, version: number): string {
  return `lineage/${encodeURIComponent(key)}/v${version}.json`;
}
