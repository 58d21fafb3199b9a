// A look for work every `intervalMs` and whenever woken, never two at once: a wake during a look
// runs one more look right after it. What the replay runner and the reconcile scheduler share.

export class Poller {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly look: () => Promise<void>,
    private readonly failed: (err: unknown) => void,
  ) {}

  /** Looks now (unless the caller just did) and then every interval (the timer does not keep the process alive). */
  start(now = true): void {
    this.timer = setInterval(() => this.wake(), this.intervalMs);
    this.timer.unref();
    if (now) this.wake();
  }

  /** Looks for work now, besides the periodic look; ignored once stopped. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.look()
      .catch((err: unknown) => this.failed(err))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** No more looks; resolves once a look in progress has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
