// Replay jobs: plans (dry runs), frozen selections written to S3, job state in DynamoDB, cancel.
// Scheduling is replay.runner.ts's and sending replay.sender.ts's; this service selects, freezes,
// reports and cancels. Its answers are built in replay-view.ts.
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventIndex, EventRecord } from '../shared/events/event-index';
import { ManifestStore } from './manifest-store';
import { ReplayFilter, ReplayJob, ReplayJobStore } from './replay-job-store';
import type { Caller } from '../shared/auth/caller';
import { RateLimits } from '../shared/auth/rate-limits';
import { Env } from '../shared/config/env.config';
import { AppError, validationError } from '../shared/errors/app-error';
import { CallerSlots } from './caller-slots';
import {
  ManifestEntry,
  ManifestHeader,
  manifestKey,
  ManifestPartWriter,
  PART_SIZE,
  toEntry,
} from './replay-manifest';
import { ReplayRequest } from './replay-request';
import { DRY_RUN_REPLAY_ID, PlanTally, ReplayPlan, ReplayView, toView } from './replay-view';
import { ReplayFormats } from './replay-formats';
import { ReplayRunner } from './replay.runner';
import { UnprocessedFinder, unprocessedView } from './replay-unprocessed';
import { mapLimit } from '../shared/async/map-limit';
import { Page } from '../shared/paging/page';

const PAGE = 1000;

/** What a selection saw: how many events it passed on, and whether more matched beyond `max`. */
export interface SelectionEnd {
  matched: number;
  truncated: boolean;
}

/** A selection as a stream: hands its entries to `take` a page at a time, then says how it ended. */
export type SelectionFeed = (take: (entries: ManifestEntry[]) => Promise<void>) => Promise<SelectionEnd>;

const REPLAY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@Injectable()
export class ReplayService {
  private readonly logger = new Logger(ReplayService.name);
  private readonly slots: CallerSlots;

  constructor(
    private readonly index: EventIndex,
    private readonly manifests: ManifestStore,
    private readonly jobs: ReplayJobStore,
    private readonly runner: ReplayRunner,
    private readonly unprocessed: UnprocessedFinder,
    private readonly formats: ReplayFormats,
    private readonly limits: RateLimits,
    private readonly env: Env,
  ) {
    this.slots = new CallerSlots(env.REPLAY_MAX_PLANS_PER_CALLER);
  }

  /** The plan of a dry run, tallied while the selection streams by. */
  async plan(request: ReplayRequest, caller: Caller): Promise<ReplayPlan> {
    return this.slots.run(caller.id, async () => {
      const tally = new PlanTally();
      const end = await this.selectFor(caller, request, (entries) => tally.add(entries));
      const sample = tally.first
        ? await this.formats.message(request.format, DRY_RUN_REPLAY_ID, tally.first, '0')
        : undefined;
      return {
        ...tally.plan(request.rate_per_second, end.truncated),
        format: request.format,
        sample_message: sample ? { body: sample.body, attributes: sample.attributes } : null,
      };
    });
  }

  async create(request: ReplayRequest, caller: Caller): Promise<ReplayView> {
    return this.slots.run(caller.id, async () => {
      await this.checkCapacity();
      return this.launch(request, (take) => this.selectFor(caller, request, take), caller);
    });
  }

  /** 429 when REPLAY_MAX_RUNNING replays run and REPLAY_MAX_QUEUED more wait. */
  async checkCapacity(): Promise<void> {
    const active = await this.jobs.active();
    const queued = active.filter((j) => j.status === 'pending').length;
    const running = active.length - queued;
    if (running >= this.env.REPLAY_MAX_RUNNING && queued >= this.env.REPLAY_MAX_QUEUED) {
      throw new AppError(
        'REPLAY.TOO_MANY_RUNNING',
        `${running} replays are running and ${queued} are queued (REPLAY_MAX_RUNNING=${this.env.REPLAY_MAX_RUNNING}, REPLAY_MAX_QUEUED=${this.env.REPLAY_MAX_QUEUED}); retry later`,
        { running, queued },
        30,
      );
    }
  }

  /**
   * Freezes the selection in S3 as it streams in from `feed`, then records the job as pending and
   * wakes the runner. A resend (`resendOf`) is a job like any other whose messages count on the
   * replay it resends.
   */
  async launch(
    request: Omit<ReplayRequest, 'dry_run'>,
    feed: SelectionFeed,
    caller: Caller,
    resendOf?: string,
  ): Promise<ReplayView> {
    const replayId = randomUUID();
    try {
      return await this.freeze(replayId, request, feed, caller, resendOf);
    } catch (err) {
      // What this instance kept of a manifest no job will send.
      this.manifests.forget(replayId);
      throw err;
    }
  }

  private async freeze(
    replayId: string,
    request: Omit<ReplayRequest, 'dry_run'>,
    feed: SelectionFeed,
    caller: Caller,
    resendOf?: string,
  ): Promise<ReplayView> {
    const createdAt = new Date().toISOString();
    const tally = new PlanTally();
    const parts = new ManifestPartWriter(replayId, (key, body) =>
      this.manifests.write(key, body, 'application/x-ndjson'),
    );
    // A failed selection leaves no part write in flight: launch then forgets what was kept of it.
    const end = await feed(async (entries) => {
      tally.add(entries);
      await parts.add(entries);
    }).catch(async (err: unknown) => {
      await parts.settle();
      throw err;
    });
    const plan = tally.plan(request.rate_per_second, end.truncated);
    const header: ManifestHeader = {
      replay_id: replayId,
      created_at: createdAt,
      requested_by: caller.id,
      reason: request.reason,
      filter: request.filter,
      queue: request.queue,
      format: request.format,
      matched: plan.matched,
      bytes: plan.bytes,
      truncated: plan.truncated,
      part_size: PART_SIZE,
      parts: await parts.finish(),
    };
    // The header last: a manifest.json only exists once every part it names does.
    await this.manifests.write(
      manifestKey(replayId),
      Buffer.from(JSON.stringify(header, null, 2)),
      'application/json',
    );
    const job: ReplayJob = {
      replay_id: replayId,
      status: 'pending',
      filter: request.filter,
      reason: request.reason,
      requested_by: caller.id,
      queue: request.queue,
      format: request.format,
      created_at: createdAt,
      matched: plan.matched,
      bytes: plan.bytes,
      truncated: plan.truncated,
      max_events: request.max_events,
      rate_per_second: request.rate_per_second,
      sent: 0,
      failed: 0,
      processed: 0,
      next_index: 0,
      manifest_key: manifestKey(replayId),
      progress_shards: this.env.REPLAY_PROGRESS_SHARDS,
      ...(resendOf ? { resend_of: resendOf } : {}),
    };
    await this.jobs.create(job);
    this.logger.log(
      {
        op: 'replay.audit',
        stage: 'created',
        replay_id: replayId,
        requested_by: caller.id,
        reason: request.reason,
        filter: request.filter,
        queue: request.queue,
        format: request.format,
        matched: plan.matched,
        bytes: plan.bytes,
        truncated: plan.truncated,
        rate_per_second: request.rate_per_second,
        ...(resendOf ? { resend_of: resendOf } : {}),
      },
      resendOf ? 'replay resend created' : 'replay created',
    );
    this.runner.wake();
    return toView(job);
  }

  async get(replayId: string): Promise<ReplayView> {
    const job = await this.job(replayId);
    return { ...toView(job), unprocessed: unprocessedView(await this.unprocessed.find(job)) };
  }

  async list(limit: number, cursor?: string): Promise<Page<ReplayView>> {
    const page = await this.jobs.list(limit, cursor);
    return { items: page.items.map(toView), next_cursor: page.next_cursor };
  }

  /** Cancelling a cancelled job is a no-op; a completed or failed one cannot be cancelled. */
  async cancel(replayId: string, caller: Caller): Promise<ReplayView> {
    const before = await this.job(replayId);
    const cancelled = await this.jobs.cancel(replayId, new Date().toISOString());
    if (!cancelled) {
      const now = await this.job(replayId);
      if (now.status === 'cancelled') return toView(now);
      throw new AppError('REPLAY.NOT_CANCELLABLE', `replay ${replayId} is already ${now.status}`, {
        status: now.status,
      });
    }
    this.runner.cancelled(replayId);
    // A pending job's manifest, if this instance created it, will not be sent.
    this.manifests.forget(replayId);
    const audit = {
      op: 'replay.audit',
      replay_id: replayId,
      requested_by: cancelled.requested_by,
      reason: cancelled.reason,
      filter: cancelled.filter,
      queue: cancelled.queue,
      matched: cancelled.matched,
      sent: cancelled.sent,
      failed: cancelled.failed,
    };
    this.logger.log(
      { ...audit, stage: 'cancel_requested', cancelled_by: caller.id, status_before: before.status },
      'replay cancel requested',
    );
    // A running job's runner logs its end (with the last batch counted); a pending one ends here.
    if (before.status === 'pending') this.logger.log({ ...audit, stage: 'cancelled' }, 'replay cancelled');
    return toView(cancelled);
  }

  async job(replayId: string): Promise<ReplayJob> {
    const job = REPLAY_ID.test(replayId) ? await this.jobs.get(replayId) : undefined;
    if (!job) throw new AppError('REPLAY.NOT_FOUND', `replay ${replayId} not found`);
    return job;
  }

  /**
   * A plan's selection, charged to the caller's event rate limit (dry runs included): a plan starts
   * only while the caller's event budget is not spent, and what it selected is taken afterwards.
   */
  private async selectFor(
    caller: Caller,
    request: ReplayRequest,
    take: (entries: ManifestEntry[]) => void | Promise<void>,
  ): Promise<SelectionEnd> {
    this.limits.takeEvents(caller, 1);
    const end = await this.select(request.filter, request.max_events, take);
    this.limits.chargeEvents(caller, end.matched - 1);
    return end;
  }

  /**
   * Streams the events a filter selects, in index order, to `take`, one page at a time, at most `max`
   * of them: nothing holds the whole selection. event_ids are read one by one; otherwise entity_id
   * reads gsi1 (occurred_at window), source reads gsi2 (received_at window).
   */
  async select(
    filter: ReplayFilter,
    max: number,
    take: (entries: ManifestEntry[]) => void | Promise<void>,
  ): Promise<SelectionEnd> {
    const keep = (e: EventRecord): boolean =>
      (filter.entity_id === undefined || e.entity_id === filter.entity_id) &&
      (filter.source === undefined || e.source === filter.source) &&
      (filter.type === undefined || e.type === filter.type);
    if (filter.event_ids) {
      const found = await mapLimit(filter.event_ids, 16, (id) => this.index.getEvent(id));
      const inWindow = (e: EventRecord): boolean =>
        (filter.from === undefined || e.occurred_at >= filter.from) &&
        (filter.to === undefined || e.occurred_at <= filter.to);
      const events = found.filter((e): e is EventRecord => e !== undefined && keep(e) && inWindow(e));
      const taken = events.slice(0, max);
      await take(taken.map(toEntry));
      return { matched: taken.length, truncated: events.length > max };
    }
    if (!filter.from || !filter.to) {
      throw validationError('REPLAY.VALIDATION_FAILED', [
        { field: 'filter', message: 'from and to are required' },
      ]);
    }
    const window = { from: filter.from, to: filter.to };
    const read = (cursor?: string): Promise<Page<EventRecord>> =>
      filter.entity_id !== undefined
        ? this.index.eventsOfEntity(filter.entity_id, window, 'asc', { limit: PAGE, cursor })
        : this.index.eventsOfSource(filter.source!, filter.type, window, { limit: PAGE, cursor });
    let matched = 0;
    let cursor: string | undefined;
    do {
      const page = await read(cursor);
      const kept = page.items.filter(keep);
      const room = max - matched;
      await take(kept.slice(0, room).map(toEntry));
      matched += Math.min(room, kept.length);
      if (kept.length > room) return { matched, truncated: true };
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return { matched, truncated: false };
  }
}
