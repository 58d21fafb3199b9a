// Where raw and rejected bytes live in S3: Hive-style partitions so Athena, DuckDB or Spark can read
// the lake directly. Keys are content-addressed, so an emulator that ignores IfNoneMatch can never
// overwrite stored bytes with different ones, and racing writers never share a key.
import { sha256Hex } from '../shared/identity/event-identity';

const partition = (iso: string): string => `date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;

/** One event: `raw/source=<s>/date=<occurred day>/hour=<HH>/<event_id>-<bytes hash 16>.json`. */
export function singleRawKey(source: string, occurredAtUtc: string, eventId: string, bytes: Buffer): string {
  return `raw/source=${source}/${partition(occurredAtUtc)}/${eventId}-${sha256Hex(bytes).slice(0, 16)}.json`;
}

/** One batch: `raw/batches/date=<received day>/hour=<HH>/<sha256 of the object>.ndjson`. */
export function batchRawKey(receivedAt: string, body: Buffer): string {
  return `raw/batches/${partition(receivedAt)}/${sha256Hex(body)}.ndjson`;
}

export function rejectedKey(receivedAt: string, rejectionId: string): string {
  return `rejected/${partition(receivedAt)}/${rejectionId}.json`;
}

/** Where a raw object sits in the layout, read back from its key. */
export type RawKeyParts =
  | { kind: 'single'; source: string; hour: string; eventId: string; bytesHash16: string }
  | { kind: 'batch'; hour: string; sha256: string };

const SINGLE_KEY =
  /^raw\/source=([a-z0-9][a-z0-9._-]*)\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/([0-9a-f]{32})-([0-9a-f]{16})\.json$/;
const BATCH_KEY = /^raw\/batches\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/([0-9a-f]{64})\.ndjson$/;

/** The parts of a key ingest wrote, or undefined for a key ingest would never write. */
export function parseRawKey(key: string): RawKeyParts | undefined {
  const single = SINGLE_KEY.exec(key);
  if (single) {
    const [, source, day, hh, eventId, bytesHash16] = single;
    return { kind: 'single', source, hour: `${day}T${hh}`, eventId, bytesHash16 };
  }
  const batch = BATCH_KEY.exec(key);
  if (batch) return { kind: 'batch', hour: `${batch[1]}T${batch[2]}`, sha256: batch[3] };
  return undefined;
}

/** The folder of one hour (`YYYY-MM-DDTHH`, UTC) of a source's single events. */
export const singlePartition = (source: string, hour: string): string =>
  `raw/source=${source}/${partition(`${hour}:00`)}/`;

/** The folder of one received hour of batch objects. */
export const batchPartition = (hour: string): string => `raw/batches/${partition(`${hour}:00`)}/`;

/** Parent of the per-source folders: listing it one level down gives `raw/source=<s>/` and `raw/batches/`. */
export const RAW_ROOT = 'raw/';

/** The source a `raw/source=<s>/` folder holds, or undefined for other folders. */
export function sourceOfPartition(prefix: string): string | undefined {
  return /^raw\/source=([a-z0-9][a-z0-9._-]*)\/$/.exec(prefix)?.[1];
}

/** Whether `bytes` are what ingest stored at a key: both layouts carry a hash of the bytes in the name. */
export function matchesKey(parts: RawKeyParts, bytes: Buffer): boolean {
  const hash = sha256Hex(bytes);
  return parts.kind === 'single' ? hash.startsWith(parts.bytesHash16) : hash === parts.sha256;
}
