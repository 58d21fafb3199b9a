// The manifest objects this instance just wrote, kept for its own runner. A replay's runner is woken
// when the replay is created, so the instance that wrote a manifest usually sends it too, and would
// otherwise read back from S3, part by part, what it wrote there a moment before: one GetObject per
// 1,000 events, about 1 ms of the sending thread each (docs/benchmarks.md). S3 stays the record: an
// object is kept here only once S3 holds it, is handed out once, and is dropped when its run ends
// (a resumed run, or any other reader, reads S3), when its creation fails, or PART_CACHE_TTL_MS
// after it was written; past REPLAY_PART_CACHE_MB nothing more is kept. The objects are immutable,
// so what is handed out is what S3 holds.
import { performance } from 'node:perf_hooks';
import type { RawStore } from '../shared/raw/raw-store';
import { manifestPrefix } from './replay-manifest';

/** How long a written object is kept for a run that has not started: a job queued longer reads S3. */
export const PART_CACHE_TTL_MS = 5 * 60_000;

interface Held {
  body: Buffer;
  /** Bytes it keeps alive (costOf). */
  cost: number;
  at: number;
}

/**
 * The memory an object keeps alive: its whole backing store, which for a small Buffer is the pooled
 * slab it is cut from (Node carves buffers under 4 KiB, a small manifest.json, out of 8 KiB slabs).
 */
const costOf = (body: Buffer): number => body.buffer.byteLength;

export interface PartCacheOptions {
  /** Monotonic milliseconds: a clock stepped back must not keep objects. */
  now?: () => number;
  /** Told the bytes held after every change (the replay metrics' gauge). */
  observe?: (bytes: number) => void;
}

export class ManifestPartCache {
  /** In the order written (`put` deletes before it sets): the first is the oldest. */
  private readonly held = new Map<string, Held>();
  private bytes = 0;
  /** Wakes when the oldest object expires, so an idle instance lets go of it too. */
  private sweep?: NodeJS.Timeout;

  private readonly now: () => number;
  private readonly observe: (bytes: number) => void;

  /** `maxBytes` 0 keeps nothing. */
  constructor(
    private readonly maxBytes: number,
    options: PartCacheOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.observe = options.observe ?? (() => undefined);
  }

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  /**
   * Keeps `body`, which S3 now holds under `key`, if it fits. What does not fit is not kept, rather
   * than dropping older objects: a run needs a manifest's first parts first.
   */
  put(key: string, body: Buffer): void {
    this.drop(key);
    this.expire();
    const cost = costOf(body);
    if (this.bytes + cost > this.maxBytes) return;
    this.held.set(key, { body, cost, at: this.now() });
    this.bytes += cost;
    this.observe(this.bytes);
    this.schedule();
  }

  /** The object written under `key`, if it is still held; never handed out twice. */
  take(key: string): Buffer | undefined {
    this.expire();
    const held = this.held.get(key);
    if (held) this.drop(key);
    return held?.body;
  }

  /** Drops every object under `prefix`: what is left of one replay. */
  forget(prefix: string): void {
    for (const key of [...this.held.keys()]) if (key.startsWith(prefix)) this.drop(key);
  }

  private expire(): void {
    const before = this.now() - PART_CACHE_TTL_MS;
    for (const [key, { at }] of this.held) {
      if (at > before) break;
      this.drop(key);
    }
  }

  /** A timer for the oldest object's expiry while any is held; never what keeps the process up. */
  private schedule(): void {
    if (this.sweep || this.held.size === 0) return;
    const oldest = this.held.values().next().value!;
    this.sweep = setTimeout(
      () => {
        this.sweep = undefined;
        this.expire();
        this.schedule();
      },
      Math.max(0, oldest.at + PART_CACHE_TTL_MS - this.now()) + 1,
    );
    this.sweep.unref();
  }

  private drop(key: string): void {
    const held = this.held.get(key);
    if (!held) return;
    this.held.delete(key);
    this.bytes -= held.cost;
    this.observe(this.bytes);
    if (this.held.size === 0) {
      clearTimeout(this.sweep);
      this.sweep = undefined;
    }
  }
}

/**
 * A replay's manifest objects in S3 (RawStore), the ones this instance wrote kept for its own runner.
 * Only the creation writes through it and only the run that sends reads through it; anything else
 * that reads a manifest (the unprocessed finder) reads S3.
 */
export class ManifestStore {
  constructor(
    private readonly raw: RawStore,
    private readonly cache: ManifestPartCache,
  ) {}

  /** Writes the object to S3, then keeps it. */
  async write(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.raw.put(key, body, contentType);
    this.cache.put(key, body);
  }

  /** The object, for the run that sends it: from memory when this instance still holds it. */
  read(key: string): Promise<Buffer> {
    const held = this.cache.take(key);
    return held ? Promise.resolve(held) : this.raw.get(key);
  }

  /** Drops what is kept of a replay: its run ended, or its creation failed (writes settled first). */
  forget(replayId: string): void {
    this.cache.forget(manifestPrefix(replayId));
  }
}
