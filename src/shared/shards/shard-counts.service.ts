// Keeps this instance's view of the recorded shard counts (shard-counts.ts): reads them at boot and
// every refreshMs, and records this instance's own count when it is larger than what is recorded.
// The repositories ask it, at each write and read, how many shards to use.
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Poller } from '../async/poller';
import { ShardCountStore } from './shard-count-store';
import {
  knownToAll,
  RecordedShards,
  SHARD_LAYOUTS,
  ShardCounts,
  shardCountsAt,
  ShardLayout,
} from './shard-counts';

export interface ShardCountTiming {
  /** How often every instance reads the recorded counts again. */
  refreshMs: number;
  /**
   * How long a raise keeps writers on the old count: two refreshes and a margin for clock skew, so
   * every reader has looked again before an event lands in a shard it did not know of.
   */
  graceMs: number;
}

export const SHARD_COUNT_TIMING: ShardCountTiming = { refreshMs: 30_000, graceMs: 75_000 };

export class ShardCountsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ShardCountsService.name);
  private recorded?: Partial<Record<ShardLayout, RecordedShards>>;
  private readonly poller: Poller;

  constructor(
    private readonly store: ShardCountStore,
    private readonly own: Record<ShardLayout, number>,
    private readonly timing: ShardCountTiming = SHARD_COUNT_TIMING,
    private readonly clock: () => number = Date.now,
  ) {
    this.poller = new Poller(
      timing.refreshMs,
      () => this.refresh(),
      (err) =>
        this.logger.warn(
          { op: 'shards.refresh', err },
          'could not read the recorded shard counts; keeping the last known',
        ),
    );
  }

  /** The live counts of one layout, for its repository. */
  counts(layout: ShardLayout): ShardCounts {
    return {
      write: () => this.now(layout).write,
      read: () => this.now(layout).read,
    };
  }

  /** Read once before the app serves (a failure is logged: the own counts stand until a later look). */
  async onApplicationBootstrap(): Promise<void> {
    await this.refresh().catch((err: unknown) =>
      this.logger.warn(
        { op: 'shards.refresh', err },
        'could not read the recorded shard counts at boot; writing to shard 0 until a later look',
      ),
    );
    this.poller.start(false);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** Reads the recorded counts, and records this instance's own where it is larger. */
  async refresh(): Promise<void> {
    const recorded = await this.store.read();
    for (const layout of SHARD_LAYOUTS) {
      const seen = recorded[layout];
      const own = this.own[layout];
      if (seen !== undefined && seen.shards >= own) continue;
      const at = this.clock();
      // What every reader reads now: 1 (shard 0) before anything is recorded, and within another
      // raise's grace period the count from before that one.
      const before = seen === undefined ? 1 : knownToAll(seen, at, this.timing.graceMs);
      // Lost to another instance's raise: the next look reads what it recorded.
      if (await this.store.raise(layout, own, seen?.shards, before, at)) {
        recorded[layout] = { shards: own, before, raised_at: at };
        this.logger.log(
          { op: 'shards.raised', layout, shards: own, before },
          `${layout} shard count raised; writers keep ${before} shard(s) for ${this.timing.graceMs} ms`,
        );
      }
    }
    this.recorded = recorded;
  }

  private now(layout: ShardLayout): { write: number; read: number } {
    return shardCountsAt(this.own[layout], this.recorded?.[layout], this.clock(), this.timing.graceMs);
  }
}
