import type { Page } from '../shared/paging/page';
// Port for replay jobs: one DynamoDB item per job (pk REPLAY#<id>, sk #JOB), listed newest first
// through gsi1, and the pending/running ones through the sparse gsi2 partition REPLAY_ACTIVE.
// The processor ADDs `processed` to the same item for a job created before sharding (and counts a
// sharded one's in items of its own), so after creation every write here is an UpdateItem that sets
// only its own attributes.

export const REPLAY_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];

export interface ReplayFilter {
  entity_id?: string;
  source?: string;
  type?: string;
  from?: string;
  to?: string;
  event_ids?: string[];
}

export interface ReplayJob {
  replay_id: string;
  status: ReplayStatus;
  filter: ReplayFilter;
  reason: string;
  requested_by: string;
  queue: string;
  /** The output format of its messages (`pointer` when absent: jobs created before formats). */
  format?: string;
  created_at: string;
  started_at?: string;
  finished_at?: string;
  matched: number;
  bytes: number;
  truncated: boolean;
  max_events: number;
  rate_per_second: number;
  /** Messages SQS accepted. */
  sent: number;
  /** Messages given up on after retries. */
  failed: number;
  /**
   * Messages the processor has handled: the sum of the job's shard counts, plus what it ADDed to the
   * job item (all of it for a job created before sharding).
   */
  processed: number;
  /**
   * Partitions the processor spreads this job's progress over (REPLAY_PROGRESS_SHARDS when created);
   * absent on jobs created before sharding, whose progress is on the job item and beside it.
   */
  progress_shards?: number;
  /** The checkpoint: index of the next manifest entry to send. */
  next_index: number;
  manifest_key: string;
  /** Why a job failed. */
  error?: string;
  /**
   * Set on a resend (POST /replay/{id}/resend): the replay whose unprocessed events it sends again.
   * Its messages carry that replay's id, so their processing counts on the original job.
   */
  resend_of?: string;
  /** The runner instance holding the job, and until when (epoch ms) without a checkpoint. */
  owner?: string;
  lease_until?: number;
}

export interface Checkpoint {
  next_index: number;
  sent: number;
  failed: number;
}

export abstract class ReplayJobStore {
  /** Stores a new job (status pending); the id must be new. */
  abstract create(job: ReplayJob): Promise<void>;
  /** The job, `processed` summed over its progress shards (as in list and cancel). */
  abstract get(replayId: string): Promise<ReplayJob | undefined>;
  /** Every job, newest first. */
  abstract list(limit: number, cursor?: string): Promise<Page<ReplayJob>>;
  /** Pending and running jobs, oldest first; their `processed` is not summed (no caller reads it). */
  abstract active(): Promise<ReplayJob[]>;
  /**
   * Takes a pending or running job for `owner` (status becomes running) unless another live runner
   * holds it; undefined when it could not be taken.
   */
  abstract claim(
    replayId: string,
    owner: string,
    now: number,
    leaseUntil: number,
  ): Promise<ReplayJob | undefined>;
  /** Records progress and extends the lease; the job's status after the write, or 'lost' if not ours. */
  abstract checkpoint(
    replayId: string,
    owner: string,
    checkpoint: Checkpoint,
    leaseUntil: number,
  ): Promise<ReplayStatus | 'lost'>;
  /**
   * Ends a running job held by `owner`, recording why it failed or its last checkpoint in the same
   * write; false when it was not ours or no longer running.
   */
  abstract finish(
    replayId: string,
    owner: string,
    status: 'completed' | 'failed',
    finishedAt: string,
    end?: { error?: string; checkpoint?: Checkpoint },
  ): Promise<boolean>;
  /** Gives the job back (clean shutdown) so the next runner may resume it at once. */
  abstract release(replayId: string, owner: string): Promise<void>;
  /** Cancels a pending or running job; undefined when it was neither (or does not exist). */
  abstract cancel(replayId: string, finishedAt: string): Promise<ReplayJob | undefined>;
}
