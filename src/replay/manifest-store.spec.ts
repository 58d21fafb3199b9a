import type { Env } from '../shared/config/env.config';
import type { RawStore } from '../shared/raw/raw-store';
import { ManifestPartCache, ManifestStore, PART_CACHE_TTL_MS } from './manifest-store';
import { ManifestEntry, PART_SIZE, partKey } from './replay-manifest';
import { ReplayService } from './replay.service';

const bytes = (n: number, fill = 'x') => Buffer.alloc(n, fill);

describe('ManifestPartCache', () => {
  it('hands an object out once, then no more', () => {
    const cache = new ManifestPartCache(1000);
    cache.put('replays/a/part-00000.ndjson', bytes(10, 'a'));
    expect(cache.take('replays/a/part-00000.ndjson')?.toString()).toBe('a'.repeat(10));
    expect(cache.take('replays/a/part-00000.ndjson')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps objects while they fit in its size and none past it, so a manifest keeps its first parts', () => {
    const cache = new ManifestPartCache(100);
    cache.put('k1', bytes(40));
    cache.put('k2', bytes(40));
    cache.put('k3', bytes(40));
    expect(cache.size).toBe(80);
    expect(cache.take('k3')).toBeUndefined();
    expect(cache.take('k1')).toHaveLength(40);
    // Room again once handed out.
    cache.put('k4', bytes(60));
    expect(cache.take('k2')).toHaveLength(40);
    expect(cache.take('k4')).toHaveLength(60);
    cache.put('huge', bytes(101));
    expect(cache.take('huge')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('counts an object written again under the same key once', () => {
    const cache = new ManifestPartCache(100);
    cache.put('k', bytes(60));
    cache.put('k', bytes(30, 'b'));
    expect(cache.size).toBe(30);
    expect(cache.take('k')?.toString()).toBe('b'.repeat(30));
  });

  it(`drops objects kept longer than ${PART_CACHE_TTL_MS / 60_000} minutes`, () => {
    let now = 0;
    const cache = new ManifestPartCache(1000, { now: () => now });
    cache.put('old', bytes(10));
    now = 60_000;
    cache.put('newer', bytes(10));
    now = PART_CACHE_TTL_MS;
    expect(cache.take('old')).toBeUndefined();
    expect(cache.take('newer')).toHaveLength(10);
    expect(cache.size).toBe(0);
  });

  it('forgets every object of one replay and only those', () => {
    const cache = new ManifestPartCache(1000);
    cache.put('replays/a/part-00000.ndjson', bytes(10));
    cache.put('replays/ab/part-00000.ndjson', bytes(10));
    cache.put('replays/a/manifest.json', bytes(10));
    cache.forget('replays/a/');
    expect(cache.size).toBe(10);
    expect(cache.take('replays/ab/part-00000.ndjson')).toHaveLength(10);
  });

  it('keeps nothing at size 0', () => {
    const cache = new ManifestPartCache(0);
    cache.put('k', bytes(1));
    expect(cache.take('k')).toBeUndefined();
  });
  it('lets go of expired objects on its own, with no call to wake it, and a rewrite counts from then', () => {
    jest.useFakeTimers();
    try {
      let now = 0;
      const cache = new ManifestPartCache(1000, { now: () => now });
      cache.put('first', bytes(10));
      cache.put('second', bytes(10));
      now = 60_000;
      // Written again: its five minutes start now, and it is now the newest.
      cache.put('first', bytes(10));
      now = PART_CACHE_TTL_MS + 1;
      jest.advanceTimersByTime(PART_CACHE_TTL_MS + 1);
      expect(cache.size).toBe(10);
      now = 60_000 + PART_CACHE_TTL_MS + 1;
      jest.advanceTimersByTime(60_000);
      expect(cache.size).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('tells its observer the bytes held after every change', () => {
    const seen: number[] = [];
    const cache = new ManifestPartCache(100_000, { observe: (b) => seen.push(b) });
    cache.put('replays/a/part-00000.ndjson', bytes(10_000));
    cache.put('replays/a/part-00001.ndjson', bytes(20_000));
    cache.take('replays/a/part-00000.ndjson');
    cache.forget('replays/a/');
    expect(seen).toEqual([10_000, 30_000, 20_000, 0]);
  });

  it('counts a small object as the pooled slab it keeps alive', () => {
    const cache = new ManifestPartCache(1_000_000);
    cache.put('replays/a/manifest.json', Buffer.from('{"matched":1}'));
    expect(cache.size).toBe(Buffer.poolSize);
  });
});

describe('a replay whose creation fails', () => {
  it('keeps nothing of its manifest, not even the part writes still in flight when it failed', async () => {
    const cache = new ManifestPartCache(64 * 1024 * 1024);
    // S3 answers each write 20 ms later: several are in flight when the selection fails.
    const raw = {
      put: () => new Promise<void>((done) => setTimeout(done, 20)),
    } as unknown as RawStore;
    const service = new ReplayService(
      {} as never,
      new ManifestStore(raw, cache),
      {} as never,
      {} as never,
      {} as never,
      {} as never,
      {} as never,
      { REPLAY_MAX_PLANS_PER_CALLER: 1 } as Env,
    );
    const page = Array.from({ length: PART_SIZE }, (_, i) => ({ event_id: String(i) }) as ManifestEntry);
    const failing = async (take: (entries: ManifestEntry[]) => Promise<void>) => {
      for (let i = 0; i < 3; i++) await take(page);
      throw new Error('the index went away');
    };
    await expect(
      service.launch({ rate_per_second: 10 } as never, failing, { id: 'op' } as never),
    ).rejects.toThrow('the index went away');
    expect(cache.size).toBe(0);
    // Nothing lands later either.
    await new Promise((done) => setTimeout(done, 50));
    expect(cache.size).toBe(0);
  });
});

describe('a replay cancelled before its run started', () => {
  it('keeps nothing of its manifest', async () => {
    const cache = new ManifestPartCache(64 * 1024 * 1024);
    const manifests = new ManifestStore({ put: () => Promise.resolve() } as unknown as RawStore, cache);
    const id = '0b7c1a52-3f4e-4d6a-9c1b-2a3b4c5d6e7f';
    await manifests.write(partKey(id, 0), bytes(10_000), 'application/x-ndjson');
    const pending = { replay_id: id, status: 'pending' };
    const service = new ReplayService(
      {} as never,
      manifests,
      {
        get: () => Promise.resolve(pending),
        cancel: () => Promise.resolve({ ...pending, status: 'cancelled' }),
      } as never,
      { cancelled: () => undefined } as never,
      {} as never,
      {} as never,
      {} as never,
      { REPLAY_MAX_PLANS_PER_CALLER: 1 } as Env,
    );
    expect(cache.size).toBe(10_000);
    await service.cancel(id, { id: 'op' } as never);
    expect(cache.size).toBe(0);
  });
});
