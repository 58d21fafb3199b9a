// What a finished replay sent but the processor never handled: the manifest entries it sent, less
// the events with a DONE marker. Only told once the queue has drained (nothing visible or in flight),
// so a message still on its way is never called unprocessed; and only while the markers are kept.
import { Injectable } from '@nestjs/common';
import { QueuePublisher } from '../shared/queue/queue-publisher';
import { RawStore } from '../shared/raw/raw-store';
import { ManifestEntry, ManifestHeader, parsePart } from './replay-manifest';
import { ReplayJob } from './replay-job-store';
import { Retention } from '../shared/retention/retention';
import { ReplayProgress } from './replay-progress';

/** Event ids listed on GET /replay/{id}; a resend sends every unprocessed event, listed or not. */
export const LISTED_UNPROCESSED = 1000;
const FINISHED: ReplayJob['status'][] = ['completed', 'cancelled', 'failed'];
const DAY_MS = 86_400_000;
const CACHED_JOBS = 50;

export type Unprocessed = { known: true; entries: ManifestEntry[] } | { known: false; reason: string };

export interface UnprocessedView {
  count: number;
  /** The first LISTED_UNPROCESSED of them, in manifest order. */
  event_ids: string[];
  truncated: boolean;
}

export function unprocessedView(found: Unprocessed): UnprocessedView | null {
  if (!found.known || found.entries.length === 0) return null;
  return {
    count: found.entries.length,
    event_ids: found.entries.slice(0, LISTED_UNPROCESSED).map((e) => e.event_id),
    truncated: found.entries.length > LISTED_UNPROCESSED,
  };
}

@Injectable()
export class UnprocessedFinder {
  /** By replay id, for the `processed` count it was computed at: markers only grow with it. */
  private readonly cache = new Map<string, { processed: number; entries: ManifestEntry[] }>();

  /** Markers expire after RETENTION_DONE_MARKERS_DAYS: a finished replay is judged by them a day less. */
  private readonly markersKeptMs: number;

  constructor(
    private readonly raw: RawStore,
    private readonly progress: ReplayProgress,
    private readonly queue: QueuePublisher,
    retention: Retention,
  ) {
    const days = retention.daysOf('done_markers');
    this.markersKeptMs = days === undefined ? Infinity : (days - 1) * DAY_MS;
  }

  async find(job: ReplayJob, now: number = Date.now()): Promise<Unprocessed> {
    if (job.resend_of) {
      return { known: false, reason: `a resend's events count on the replay it resends, ${job.resend_of}` };
    }
    if (!FINISHED.includes(job.status)) return { known: false, reason: `the replay is still ${job.status}` };
    // processed counts distinct events, next_index the entries sent: equal means nothing is missing.
    if (job.processed >= job.next_index) return { known: true, entries: [] };
    if (now - Date.parse(job.finished_at ?? job.created_at) > this.markersKeptMs) {
      return {
        known: false,
        reason: 'the replay finished too long ago: its processing markers have expired',
      };
    }
    const depth = await this.queue.depth(job.queue);
    if (depth.visible + depth.inFlight > 0) {
      const held = depth.visible + depth.inFlight;
      return { known: false, reason: `queue ${job.queue} still holds ${held} messages; it must drain first` };
    }
    const cached = this.cache.get(job.replay_id);
    if (cached?.processed === job.processed) return { known: true, entries: cached.entries };
    const [done, sent] = await Promise.all([
      this.progress.processedEventIds(job.replay_id, job.progress_shards),
      this.sent(job),
    ]);
    // Carried DONE records are read from an index, which lags its table by moments: fewer records
    // than the count says means some are not visible yet, and the answer would name processed events.
    if (done.size < job.processed) {
      return {
        known: false,
        reason: 'the processing records are still being indexed; ask again in a moment',
      };
    }
    const entries = sent.filter((e) => !done.has(e.event_id));
    this.cache.delete(job.replay_id);
    this.cache.set(job.replay_id, { processed: job.processed, entries });
    if (this.cache.size > CACHED_JOBS) this.cache.delete(this.cache.keys().next().value!);
    return { known: true, entries };
  }

  /** The manifest entries the replay sent (all of a completed one, up to its checkpoint otherwise). */
  private async sent(job: ReplayJob): Promise<ManifestEntry[]> {
    const header = JSON.parse((await this.raw.get(job.manifest_key)).toString('utf8')) as ManifestHeader;
    const parts = header.parts.slice(0, Math.ceil(job.next_index / header.part_size));
    const entries: ManifestEntry[] = [];
    for (const key of parts) entries.push(...parsePart(await this.raw.get(key)));
    // The manifest has no repeats, but an event sent twice (a resumed batch) must be listed once.
    const seen = new Set<string>();
    return entries.slice(0, job.next_index).filter((e) => !seen.has(e.event_id) && seen.add(e.event_id));
  }
}
