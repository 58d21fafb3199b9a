// The frozen selection of a replay: what it will send, fixed at creation and kept in S3 under
// replays/<replay_id>/ so the job is auditable and later index changes cannot alter it. A header
// (manifest.json) names NDJSON parts of PART_SIZE entries; the runner reads parts, never the index.
import type { EventRecord } from '../shared/events/event-index';
import type { ReplayedEvent } from '../shared/contracts/replay-message';
import type { ReplayFilter } from './replay-job-store';

export const PART_SIZE = 1000;

/** One event to replay, as the queue message needs it, plus its size for the plan. */
export type ManifestEntry = ReplayedEvent & { size_bytes: number };

export interface ManifestHeader {
  replay_id: string;
  created_at: string;
  requested_by: string;
  reason: string;
  filter: ReplayFilter;
  queue: string;
  matched: number;
  bytes: number;
  truncated: boolean;
  part_size: number;
  parts: string[];
}

export const manifestKey = (replayId: string): string => `replays/${replayId}/manifest.json`;
export const partKey = (replayId: string, part: number): string =>
  `replays/${replayId}/part-${String(part).padStart(5, '0')}.ndjson`;

export function toEntry(e: EventRecord): ManifestEntry {
  return {
    event_id: e.event_id,
    s3_key: e.s3_key,
    ...(e.s3_range ? { s3_range: e.s3_range } : {}),
    payload_sha256: e.payload_sha256,
    source: e.source,
    type: e.type,
    entity_id: e.entity_id,
    occurred_at: e.occurred_at,
    size_bytes: e.size_bytes,
  };
}

/** Splits entries into NDJSON part bodies of PART_SIZE entries each. */
export function toParts(entries: readonly ManifestEntry[]): string[] {
  const parts: string[] = [];
  for (let i = 0; i < entries.length; i += PART_SIZE) {
    parts.push(
      entries
        .slice(i, i + PART_SIZE)
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
  }
  return parts;
}

export function parsePart(body: string): ManifestEntry[] {
  return body
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ManifestEntry);
}
