// Mutual exclusion per key within one process: a holder of several keys takes them in the order
// given (callers sort them, so two holders never wait on each other in a circle).
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for the keys' earlier holders; answers the release of all of them. */
  async acquire(keys: readonly string[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const key of keys) {
      const before = this.tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = before.then(() => mine);
      this.tails.set(key, tail);
      releases.push(() => {
        release();
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
      await before;
    }
    return () => releases.forEach((r) => r());
  }

  /** Keys someone holds or waits for (none once every holder released). */
  get size(): number {
    return this.tails.size;
  }
}
