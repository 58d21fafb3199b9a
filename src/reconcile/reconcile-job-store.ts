// Port for reconcile jobs and their findings: one item per job (pk RECON#<id>, sk #JOB), listed newest
// first through gsi1 and the pending/running ones through the sparse gsi2 partition RECONCILE_ACTIVE;
// one item per finding beside it (sk F#<kind>#<subject>), so finding the same thing twice (a page redone
// after a crash) writes the same item. Leases and checkpoints are conditional writes, as for replays.
import type { Page, PageRequest } from '../shared/paging/page';

export const RECONCILE_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export type ReconcileStatus = (typeof RECONCILE_STATUSES)[number];

/**
 * What reconcile reports. `unindexed`: a valid raw event with no index item (repair indexes it);
 * `missing_raw` / `corrupt_raw`: an index item whose raw object is gone or no longer matches it;
 * `unreferenced`: a raw object the index points elsewhere for (a conflicting or reformatted retry:
 * expected, not an error); `unreadable`: a raw object or batch member that is not a valid event.
 */
export const FINDING_KINDS = [
  'unindexed',
  'missing_raw',
  'corrupt_raw',
  'unreferenced',
  'unreadable',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** The kinds that need someone's attention (an unindexed event does until it is recovered). */
export const PROBLEM_KINDS: readonly FindingKind[] = [
  'unindexed',
  'missing_raw',
  'corrupt_raw',
  'unreadable',
];

export interface ReconcileCounts {
  /** Raw objects listed in the window's partitions. */
  objects: number;
  /** Events read out of them (a batch object holds many). */
  members: number;
  /** Index items of the window whose raw object was read and checked. */
  index_items: number;
  unindexed: number;
  /** Unindexed events this job indexed (repair runs only). */
  recovered: number;
  missing_raw: number;
  corrupt_raw: number;
  unreferenced: number;
  unreadable: number;
  /** Raw objects older than the index retention (RETENTION_EVENTS_DAYS): not expected in the index. */
  past_retention: number;
  /** Raw objects stored within RECONCILE_SETTLE_MS, whose index claim may still be on its way: not judged. */
  in_flight: number;
}

export const emptyCounts = (): ReconcileCounts => ({
  objects: 0,
  members: 0,
  index_items: 0,
  unindexed: 0,
  recovered: 0,
  missing_raw: 0,
  corrupt_raw: 0,
  unreferenced: 0,
  unreadable: 0,
  past_retention: 0,
  in_flight: 0,
});

export function addCounts(into: ReconcileCounts, more: Partial<ReconcileCounts>): ReconcileCounts {
  for (const [k, v] of Object.entries(more)) into[k as keyof ReconcileCounts] += v;
  return into;
}

/** Where a job is: the hour it works on, the side, and the partition or source and page within it. */
export interface ReconcileCursor {
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  phase: 'raw' | 'index';
  /** raw: the S3 folder being listed; index: the source being read. */
  at?: string;
  /** raw: the last key done in `at`; index: the page cursor of `at`. */
  after?: string;
}

export interface ReconcileJob {
  reconcile_id: string;
  status: ReconcileStatus;
  repair: boolean;
  /** Whole UTC hours: from the start of `from`'s hour to the end of `to`'s. */
  from: string;
  to: string;
  /** Only raw keys (and index items pointing at raw keys) under this prefix. */
  prefix?: string;
  reason?: string;
  requested_by: string;
  created_at: string;
  started_at?: string;
  finished_at?: string;
  hours_total: number;
  hours_done: number;
  /** The checkpoint; absent before the first. */
  cursor?: ReconcileCursor;
  counts: ReconcileCounts;
  error?: string;
  owner?: string;
  lease_until?: number;
}

export interface Finding {
  kind: FindingKind;
  /** What the finding is about, unique within the job and kind. */
  subject: string;
  s3_key: string;
  s3_range?: [number, number];
  event_id?: string;
  source?: string;
  type?: string;
  occurred_at?: string;
  received_at?: string;
  /** Why: the integrity problems, the reason a member is unreadable, duplicate or conflict. */
  detail?: string;
  /** unreferenced: the key the index holds for that event instead. */
  indexed_s3_key?: string;
  /** unindexed: indexed by this job's repair, and when. */
  recovered_at?: string;
  found_at: string;
}

export interface Progress {
  cursor: ReconcileCursor;
  hours_done: number;
  counts: ReconcileCounts;
}

export abstract class ReconcileJobStore {
  /** Stores a new job (status pending); the id must be new. */
  abstract create(job: ReconcileJob): Promise<void>;
  abstract get(reconcileId: string): Promise<ReconcileJob | undefined>;
  /** Every job, newest first. */
  abstract list(page: PageRequest): Promise<Page<ReconcileJob>>;
  /** Pending and running jobs, oldest first. */
  abstract active(): Promise<ReconcileJob[]>;
  /** Takes a pending or running job for `owner` unless a live lease of another runner holds it. */
  abstract claim(
    reconcileId: string,
    owner: string,
    now: number,
    leaseUntil: number,
  ): Promise<ReconcileJob | undefined>;
  /** Records progress and extends the lease; false when the job is no longer this owner's. */
  abstract checkpoint(
    reconcileId: string,
    owner: string,
    progress: Progress,
    leaseUntil: number,
  ): Promise<boolean>;
  /** Ends a running job held by `owner`; false when it was not ours. */
  abstract finish(
    reconcileId: string,
    owner: string,
    end: { status: 'completed' | 'failed'; finished_at: string; counts: ReconcileCounts; error?: string },
  ): Promise<boolean>;
  /** Gives the job back (clean shutdown) so the next runner may resume it at once. */
  abstract release(reconcileId: string, owner: string): Promise<void>;
  /** Writes findings; writing one already there replaces it with the same content. */
  abstract putFindings(reconcileId: string, findings: Finding[]): Promise<void>;
  abstract findings(
    reconcileId: string,
    kind: FindingKind | undefined,
    page: PageRequest,
  ): Promise<Page<Finding>>;
}
