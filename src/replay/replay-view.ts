// What the replay API answers: a plan (dry run) and a job as seen on the wire, built from pure data.
import type { ManifestEntry } from './replay-manifest';
import type { ReplayFilter, ReplayJob, ReplayStatus } from './replay-job-store';
import type { UnprocessedView } from './replay-unprocessed';

const SAMPLE_SIZE = 10;

export interface ReplayPlan {
  matched: number;
  bytes: number;
  by_source_type: { source: string; type: string; count: number; bytes: number }[];
  sample_event_ids: string[];
  estimated_seconds: number;
  truncated: boolean;
  /** The output format the replay would send in. */
  format: string;
  /**
   * The first selected event's message exactly as the replay would send it (body and attributes),
   * the replay id not assigned yet (DRY_RUN_REPLAY_ID); null when nothing matched.
   */
  sample_message: { body: string; attributes: Record<string, string> } | null;
}

/** Stands for the replay id in a dry run's sample message: the id is assigned at creation. */
export const DRY_RUN_REPLAY_ID = '00000000-0000-0000-0000-000000000000';

export interface ReplayView {
  replay_id: string;
  status: ReplayStatus;
  filter: ReplayFilter;
  reason: string;
  requested_by: string;
  queue: string;
  format: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  matched: number;
  bytes: number;
  truncated: boolean;
  max_events: number;
  sent: number;
  failed: number;
  processed: number;
  rate_per_second: number;
  progress: number;
  manifest_key: string;
  error?: string;
  /** A resend: the replay whose unprocessed events it sends again (its processing counts there). */
  resend_of: string | null;
  /**
   * GET /replay/{id} only: the events sent but never processed, once the replay has finished and the
   * queue has drained; null when there are none or it cannot be told yet.
   */
  unprocessed?: UnprocessedView | null;
}

export function toView(job: ReplayJob): ReplayView {
  const done = job.sent + job.failed;
  const progress = job.matched === 0 ? (job.status === 'completed' ? 1 : 0) : Math.min(1, done / job.matched);
  return {
    replay_id: job.replay_id,
    status: job.status,
    filter: job.filter,
    reason: job.reason,
    requested_by: job.requested_by,
    queue: job.queue,
    format: job.format ?? 'pointer',
    created_at: job.created_at,
    started_at: job.started_at ?? null,
    finished_at: job.finished_at ?? null,
    matched: job.matched,
    bytes: job.bytes,
    truncated: job.truncated,
    max_events: job.max_events,
    sent: job.sent,
    failed: job.failed,
    processed: job.processed,
    rate_per_second: job.rate_per_second,
    progress: Math.round(progress * 10000) / 10000,
    manifest_key: job.manifest_key,
    ...(job.error ? { error: job.error } : {}),
    resend_of: job.resend_of ?? null,
  };
}

/**
 * The plan of a selection, tallied as it streams by: counts and bytes per (source, type) and the
 * first SAMPLE_SIZE ids, never the entries themselves, so a plan of any size takes the same memory.
 */
export class PlanTally {
  private matched = 0;
  private bytes = 0;
  private readonly groups = new Map<string, { source: string; type: string; count: number; bytes: number }>();
  private readonly sample: string[] = [];
  /** The first entry, whose message a dry run shows. */
  first?: ManifestEntry;

  add(entries: readonly ManifestEntry[]): void {
    for (const e of entries) {
      this.first ??= e;
      this.matched += 1;
      this.bytes += e.size_bytes;
      const key = `${e.source}\u0000${e.type}`;
      const g = this.groups.get(key) ?? { source: e.source, type: e.type, count: 0, bytes: 0 };
      g.count += 1;
      g.bytes += e.size_bytes;
      this.groups.set(key, g);
      if (this.sample.length < SAMPLE_SIZE) this.sample.push(e.event_id);
    }
  }

  plan(ratePerSecond: number, truncated: boolean): Omit<ReplayPlan, 'format' | 'sample_message'> {
    return {
      matched: this.matched,
      bytes: this.bytes,
      by_source_type: [...this.groups.values()].sort(
        (a, b) => a.source.localeCompare(b.source) || a.type.localeCompare(b.type),
      ),
      sample_event_ids: [...this.sample],
      estimated_seconds: Math.ceil(this.matched / ratePerSecond),
      truncated,
    };
  }
}
