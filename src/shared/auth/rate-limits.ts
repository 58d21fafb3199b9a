// Per-key rate limits: a token bucket (limiter's TokenBucket) of requests and one of events per key.
// The request bucket holds one second's worth; the event bucket one second's worth or a full batch,
// whichever is more, so every valid batch can be admitted. A request takes a request token before its
// body is read; an ingest takes one event token per event; a replay plan is charged the events it
// selected after the fact, which may leave the key in debt until the bucket refills. Buckets live in
// this instance's memory, so N instances admit up to N times the rate. Auth off means no limits.
import { Injectable } from '@nestjs/common';
import { TokenBucket } from 'limiter';
import { Env } from '../config/env.config';
import { MAX_BATCH_EVENTS } from '../contracts/ingest-limits';
import { AppError } from '../errors/app-error';
import type { Caller } from './caller';
import { RateLimitKind, RateLimitMetrics } from './rate-limit.metrics';

function fullBucket(perSecond: number, atLeast = 1): TokenBucket {
  const size = Math.max(perSecond, atLeast);
  const bucket = new TokenBucket({ bucketSize: size, tokensPerInterval: perSecond, interval: 'second' });
  bucket.content = size;
  return bucket;
}

@Injectable()
export class RateLimits {
  /** One pair per key id; ids come from config, so the map is bounded. */
  private readonly buckets = new Map<string, Record<RateLimitKind, TokenBucket | undefined>>();

  constructor(
    private readonly env: Env,
    private readonly metrics: RateLimitMetrics,
  ) {}

  /** Takes one request token, or answers 429 with Retry-After. */
  takeRequest(caller: Caller): void {
    this.take(caller, 'requests', 1);
  }

  /** Takes `count` event tokens (at most a full batch), or answers 429 with Retry-After. */
  takeEvents(caller: Caller, count: number): void {
    this.take(caller, 'events', count);
  }

  /** Charges events already spent (a replay plan): the bucket may go into debt, delaying later requests. */
  chargeEvents(caller: Caller, count: number): void {
    const bucket = this.bucket(caller, 'events');
    if (!bucket || count <= 0) return;
    bucket.drip();
    bucket.content -= count;
  }

  private take(caller: Caller, kind: RateLimitKind, count: number): void {
    const bucket = this.bucket(caller, kind);
    if (!bucket || count <= 0) return;
    const wanted = Math.min(count, bucket.bucketSize);
    if (bucket.tryRemoveTokens(wanted)) return;
    const retryAfter = Math.max(1, Math.ceil(bucket.getWaitTime(wanted) / 1000));
    this.metrics.limited.inc({ key_id: caller.id, limit: kind });
    throw new AppError(
      'RATE_LIMITED',
      `Key ${caller.id} is over its limit of ${bucket.tokensPerInterval} ${kind} per second; retry in ${retryAfter} s`,
      { key_id: caller.id, limit: kind, per_second: bucket.tokensPerInterval },
      retryAfter,
    );
  }

  private bucket(caller: Caller, kind: RateLimitKind): TokenBucket | undefined {
    if (caller.role === 'anonymous') return undefined;
    let pair = this.buckets.get(caller.id);
    if (!pair) {
      const { RATE_LIMIT_REQUESTS_PER_S: requests, RATE_LIMIT_EVENTS_PER_S: events } = this.env;
      pair = {
        requests: requests > 0 ? fullBucket(requests) : undefined,
        events: events > 0 ? fullBucket(events, MAX_BATCH_EVENTS) : undefined,
      };
      this.buckets.set(caller.id, pair);
    }
    return pair[kind];
  }
}
