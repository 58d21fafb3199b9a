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
}

export interface ReplayView {
  replay_id: string;
  status: ReplayStatus;
  filter: ReplayFilter;
  reason: string;
  requested_by: string;
  queue: string;
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

export interface Selection {
  entries: ManifestEntry[];
  truncated: boolean;
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

export function planOf(selection: Selection, ratePerSecond: number): ReplayPlan {
  const groups = new Map<string, { source: string; type: string; count: number; bytes: number }>();
  let bytes = 0;
  for (const e of selection.entries) {
    bytes += e.size_bytes;
    const key = `${e.source}\u0000${e.type}`;
    const g = groups.get(key) ?? { source: e.source, type: e.type, count: 0, bytes: 0 };
    g.count += 1;
    g.bytes += e.size_bytes;
    groups.set(key, g);
  }
  return {
    matched: selection.entries.length,
    bytes,
    by_source_type: [...groups.values()].sort(
      (a, b) => a.source.localeCompare(b.source) || a.type.localeCompare(b.type),
    ),
    sample_event_ids: selection.entries.slice(0, SAMPLE_SIZE).map((e) => e.event_id),
    estimated_seconds: Math.ceil(selection.entries.length / ratePerSecond),
    truncated: selection.truncated,
  };
}
