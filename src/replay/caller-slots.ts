// How many selections (dry-run plans and creations) each caller may run at once on this instance.
// A selection reads up to REPLAY_MAX_EVENTS index items; a caller past its slots gets 429 with
// Retry-After instead of stacking more of them.
import { AppError } from '../shared/errors/app-error';

/** Seconds a refused caller is asked to wait. */
export const SLOT_RETRY_AFTER_S = 5;

export class CallerSlots {
  private readonly held = new Map<string, number>();

  constructor(private readonly perCaller: number) {}

  /** Runs `work` in one of `caller`'s slots, or throws 429 REPLAY.TOO_MANY_PLANS when all are taken. */
  async run<T>(caller: string, work: () => Promise<T>): Promise<T> {
    const taken = this.held.get(caller) ?? 0;
    if (taken >= this.perCaller) {
      throw new AppError(
        'REPLAY.TOO_MANY_PLANS',
        `${caller} already has ${taken} replay selections running (REPLAY_MAX_PLANS_PER_CALLER=${this.perCaller}); retry when one ends`,
        { running: taken, max: this.perCaller },
        SLOT_RETRY_AFTER_S,
      );
    }
    this.held.set(caller, taken + 1);
    try {
      return await work();
    } finally {
      const left = (this.held.get(caller) ?? 1) - 1;
      if (left > 0) this.held.set(caller, left);
      else this.held.delete(caller);
    }
  }
}
