// The order a reconcile job works in, pure. The window is whole UTC hours, oldest first. Within an
// hour: the raw side (the hour's batch folder, then each source's folder, in key order), then the index
// side (each source's events received in that hour, in name order). A cursor names a place in that
// order, so a resumed job skips what it has done. A prefix narrows both sides to raw keys under it.
import { hourOf, hoursOf } from '../shared/aws/table-keys';
import { batchPartition, singlePartition } from '../ingest/raw-keys';
import type { ReconcileCursor } from './reconcile-job-store';

/** One S3 folder to list: the hour's folder, and what to list in it (narrower when a prefix says so). */
export interface RawFolder {
  folder: string;
  listPrefix: string;
}

/** The window widened to whole hours: from the start of `from`'s hour to the end of `to`'s. */
export function wholeHours(from: string, to: string): { from: string; to: string; hours: string[] } {
  const hours = hoursOf(from, to);
  return { from: `${hourOf(from)}:00:00.000Z`, to: `${hourOf(to)}:59:59.999Z`, hours };
}

/** The received_at window of one hour, for the index side. */
export const hourWindow = (hour: string): { from: string; to: string } => ({
  from: `${hour}:00:00.000Z`,
  to: `${hour}:59:59.999Z`,
});

/** True when a raw key is in scope of the prefix (no prefix: every key). */
export const inScope = (key: string, prefix: string | undefined): boolean =>
  !prefix || key.startsWith(prefix);

/** The hour's folders worth listing for the prefix, in key order, from `at` on (when resuming). */
export function rawFolders(
  hour: string,
  sources: string[],
  prefix: string | undefined,
  at?: string,
): RawFolder[] {
  const folders = [batchPartition(hour), ...sources.map((s) => singlePartition(s, hour))].sort();
  return folders
    .filter((folder) => !prefix || folder.startsWith(prefix) || prefix.startsWith(folder))
    .filter((folder) => at === undefined || folder >= at)
    .map((folder) => ({ folder, listPrefix: prefix && prefix.startsWith(folder) ? prefix : folder }));
}

/** The sources whose index items may point under the prefix, in name order, from `at` on. */
export function indexSources(sources: string[], prefix: string | undefined, at?: string): string[] {
  const pinned = prefix ? /^raw\/source=([^/]+)\//.exec(prefix)?.[1] : undefined;
  const all = pinned ? [pinned] : [...sources].sort();
  return all.filter((s) => at === undefined || s >= at);
}

/** Sources known for an hour: those with a raw folder, and those the hour's counter rows name. */
export function mergeSources(...lists: string[][]): string[] {
  return [...new Set(lists.flat())].filter((s) => /^[a-z0-9][a-z0-9._-]*$/.test(s)).sort();
}

/** Where a job starts or resumes. */
export function startOf(hours: string[], cursor: ReconcileCursor | undefined): ReconcileCursor {
  return cursor && hours.includes(cursor.hour) ? cursor : { hour: hours[0], phase: 'raw' };
}
