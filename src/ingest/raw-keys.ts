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
