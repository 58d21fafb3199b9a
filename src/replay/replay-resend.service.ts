// POST /replay/{id}/resend: sends again exactly the events a finished replay sent but the processor
// never handled (replay-unprocessed.ts), as a new replay job with `resend_of` set, frozen, rate
// limited and audited like any replay. Its messages carry the original's id, so once they are
// processed the original's `processed` reaches what it sent and its `unprocessed` empties.
import { Injectable } from '@nestjs/common';
import type { Caller } from '../shared/auth/caller';
import { Env } from '../shared/config/env.config';
import { AppError, validationError } from '../shared/errors/app-error';
import { ReplayJobStore } from './replay-job-store';
import { ResendReplayDto } from './replay.dto';
import { ReplayService } from './replay.service';
import type { ReplayView } from './replay-view';
import { UnprocessedFinder } from './replay-unprocessed';

const notResendable = (replayId: string, reason: string): AppError =>
  new AppError('REPLAY.NOT_RESENDABLE', `replay ${replayId} has nothing to resend now: ${reason}`, {
    reason,
  });

@Injectable()
export class ReplayResendService {
  constructor(
    private readonly replays: ReplayService,
    private readonly jobs: ReplayJobStore,
    private readonly unprocessed: UnprocessedFinder,
    private readonly env: Env,
  ) {}

  async resend(replayId: string, request: ResendReplayDto, caller: Caller): Promise<ReplayView> {
    const rate = request.rate_per_second ?? this.env.REPLAY_DEFAULT_RATE;
    if (rate > this.env.REPLAY_MAX_RATE) {
      throw validationError('REPLAY.VALIDATION_FAILED', [
        { field: 'rate_per_second', message: `at most ${this.env.REPLAY_MAX_RATE}` },
      ]);
    }
    const original = await this.replays.job(replayId);
    const resending = (await this.jobs.active()).find((j) => j.resend_of === replayId);
    if (resending) throw notResendable(replayId, `resend ${resending.replay_id} is ${resending.status}`);
    const found = await this.unprocessed.find(original);
    if (!found.known) throw notResendable(replayId, found.reason);
    if (found.entries.length === 0) throw notResendable(replayId, 'every event it sent was processed');
    await this.replays.checkCapacity();
    return this.replays.launch(
      {
        filter: original.filter,
        max_events: found.entries.length,
        rate_per_second: rate,
        reason: request.reason.trim(),
        queue: original.queue,
      },
      async (take) => {
        await take(found.entries);
        return { matched: found.entries.length, truncated: false };
      },
      caller,
      replayId,
    );
  }
}
