// The dead-letter queue for operators: list what is there and why, move messages back to the replay
// queue, drop one. Every change is audited in the log (op "dlq.audit"), like replays.
import { Injectable, Logger } from '@nestjs/common';
import type { Caller } from '../shared/auth/caller';
import { Env } from '../shared/config/env.config';
import { AppError, validationError } from '../shared/errors/app-error';
import { MessageFailureStore } from '../shared/message-failures/message-failure-store';
import { QueuePublisher, ReceivedMessage } from '../shared/queue/queue-publisher';
import { DeadLetterBrowser, MoveOutcome } from './dead-letter-browser';
import { deadLetterView, DeadLetterView } from './dlq-views';
import { DropQueryDto, RedriveDto } from './dlq.dto';
import { DlqMetrics } from './dlq.metrics';

/** Most messages one `all` redrive moves; the answer's `remaining` says whether to call again. */
export const REDRIVE_ALL_MAX = 1000;
/** Most messages held at once while looking for given ids. */
export const SCAN_MAX = 1000;

export interface DlqListing {
  queue: string;
  /** SQS's approximate counts of the dead-letter queue, taken before the listing. */
  approximate_visible: number;
  approximate_in_flight: number;
  items: DeadLetterView[];
  /** True when `limit` stopped the listing: there may be more messages. */
  truncated: boolean;
}

export interface RedriveItem {
  message_id: string;
  new_message_id: string | null;
  status: MoveOutcome['status'];
  replay_id: string | null;
  event_id: string | null;
}

export interface RedriveResult {
  queue: string;
  moved: number;
  failed: number;
  items: RedriveItem[];
  not_found: string[];
  /** Approximate messages still in the dead-letter queue afterwards. */
  remaining: number;
}

@Injectable()
export class DlqService {
  private readonly logger = new Logger(DlqService.name);
  private readonly browser: DeadLetterBrowser;

  constructor(
    private readonly queue: QueuePublisher,
    private readonly failures: MessageFailureStore,
    private readonly metrics: DlqMetrics,
    private readonly env: Env,
  ) {
    this.browser = new DeadLetterBrowser(queue, env.deadLetterQueue);
  }

  async list(limit: number): Promise<DlqListing> {
    const depth = await this.queue.depth(this.browser.name);
    const held = await this.browser.hold(limit);
    let views: DeadLetterView[];
    try {
      views = await this.views(held);
    } finally {
      await this.browser.release(held);
    }
    return {
      queue: this.browser.name,
      approximate_visible: depth.visible,
      approximate_in_flight: depth.inFlight,
      items: views.sort((a, b) => a.sent_at.localeCompare(b.sent_at)),
      truncated: held.length === limit,
    };
  }

  async redrive(request: RedriveDto, caller: Caller): Promise<RedriveResult> {
    const ids = request.message_ids ? [...new Set(request.message_ids)] : undefined;
    if ((ids === undefined) === (request.all !== true)) {
      throw validationError('DLQ.VALIDATION_FAILED', [
        { field: 'message_ids', message: 'give either message_ids or all: true' },
      ]);
    }
    if (request.all && !request.reason) {
      throw validationError('DLQ.VALIDATION_FAILED', [
        { field: 'reason', message: 'reason is required with all: true' },
      ]);
    }
    const target = this.env.PIPESCOPE_QUEUE;
    const outcomes: MoveOutcome[] = [];
    let notFound: string[] = [];
    if (ids) {
      const { found, missing } = await this.find(ids);
      notFound = missing;
      outcomes.push(...(await this.moveHeld(found, target)));
    } else {
      while (outcomes.length < REDRIVE_ALL_MAX) {
        const batch = await this.browser.hold(Math.min(10, REDRIVE_ALL_MAX - outcomes.length));
        if (batch.length === 0) break;
        const moved = await this.moveHeld(batch, target);
        outcomes.push(...moved);
        // Messages SQS would not take are back in the DLQ: stop rather than receive them again.
        if (moved.some((o) => o.status === 'send_failed')) break;
      }
    }
    const depth = await this.queue.depth(this.browser.name);
    const items = outcomes.map(redriveItem);
    const result: RedriveResult = {
      queue: target,
      moved: items.filter((i) => i.status !== 'send_failed').length,
      failed: items.filter((i) => i.status === 'send_failed').length,
      items,
      not_found: notFound,
      remaining: depth.visible + depth.inFlight,
    };
    this.metrics.redriven(result.moved, result.failed);
    this.logger.log(
      {
        op: 'dlq.audit',
        action: 'redrive',
        requested_by: caller.id,
        reason: request.reason?.trim() ?? null,
        selection: ids ? { message_ids: ids } : { all: true },
        queue: target,
        moved: result.moved,
        failed: result.failed,
        not_found: notFound,
        items,
      },
      'dead-letter messages redriven',
    );
    return result;
  }

  async drop(messageId: string, query: DropQueryDto, caller: Caller): Promise<DeadLetterView> {
    const { found } = await this.find([messageId]);
    const message = found[0];
    if (!message) throw notFoundError(messageId);
    let view: DeadLetterView;
    let notDeleted: string[];
    try {
      [view] = await this.views([message]);
      notDeleted = await this.browser.remove([message]);
    } catch (err) {
      await this.browser.release([message]).catch(() => undefined);
      throw err;
    }
    // The hold ran out and someone else took the message meanwhile.
    if (notDeleted.length > 0) throw notFoundError(messageId);
    this.metrics.dropped();
    this.logger.log(
      {
        op: 'dlq.audit',
        action: 'drop',
        requested_by: caller.id,
        reason: query.reason?.trim() ?? null,
        message_id: messageId,
        replay_id: view.replay_id,
        event_id: view.event_id,
        failure: view.reason,
      },
      'dead-letter message dropped',
    );
    return view;
  }

  /** Holds the messages with the given ids; every other message looked at is released at once. */
  private async find(ids: string[]): Promise<{ found: ReceivedMessage[]; missing: string[] }> {
    const wanted = new Set(ids);
    const held = await this.browser.hold(SCAN_MAX, wanted);
    const found = held.filter((m) => wanted.has(m.messageId));
    await this.browser.release(held.filter((m) => !wanted.has(m.messageId)));
    const seen = new Set(found.map((m) => m.messageId));
    return { found, missing: ids.filter((id) => !seen.has(id)) };
  }

  /** Moves held messages; on an error (SQS unavailable) they are released before it is thrown. */
  private async moveHeld(held: ReceivedMessage[], target: string): Promise<MoveOutcome[]> {
    if (held.length === 0) return [];
    try {
      return await this.browser.move(held, target);
    } catch (err) {
      await this.browser.release(held).catch(() => undefined);
      throw err;
    }
  }

  private async views(messages: ReceivedMessage[]): Promise<DeadLetterView[]> {
    const failures = await this.failures.get(messages.map((m) => m.messageId));
    const now = Date.now();
    return messages.map((m) => deadLetterView(m, failures.get(m.messageId), now));
  }
}

function redriveItem(o: MoveOutcome): RedriveItem {
  const view = deadLetterView(o.message, undefined, Date.now());
  return {
    message_id: o.message.messageId,
    new_message_id: o.newMessageId ?? null,
    status: o.status,
    replay_id: view.replay_id,
    event_id: view.event_id,
  };
}

const notFoundError = (messageId: string) =>
  new AppError(
    'DLQ.MESSAGE_NOT_FOUND',
    `message ${messageId} is not in the dead-letter queue (or another operator is looking at it)`,
  );
