// Bounds the label sets one metric may hold when some of its label values come from clients (a
// source, a type): at most `maxSeries` distinct sets; past that, a new set is recorded with those
// labels as `other`. A set not observed for `ttlMs` expires, so sources that went quiet free their
// place (and their series leave /metrics). Pure; metric.ts applies it.

export const OVERFLOW = 'other';

export interface SeriesLimits {
  maxSeries: number;
  ttlMs: number;
}

type Labels = Readonly<Record<string, string>>;

export class SeriesLimit {
  private readonly seen = new Map<string, { labels: Labels; last: number }>();

  /** `clientLabels` are the labels whose values clients choose; `names` every label, in a fixed order. */
  constructor(
    private readonly names: readonly string[],
    private readonly clientLabels: readonly string[],
    private readonly limits: SeriesLimits,
  ) {}

  /** The labels to record an observation under: these, or with the client labels as `other`. */
  admit(labels: Labels, now: number): Labels {
    let key = this.keyOf(labels);
    let entry = this.seen.get(key);
    if (!entry && this.seen.size >= this.limits.maxSeries) {
      labels = { ...labels, ...Object.fromEntries(this.clientLabels.map((n) => [n, OVERFLOW])) };
      key = this.keyOf(labels);
      entry = this.seen.get(key);
    }
    if (entry) entry.last = now;
    // Overflow sets are always admitted: there are only as many as the other labels' combinations.
    else this.seen.set(key, { labels, last: now });
    return entry?.labels ?? labels;
  }

  /** Forgets the label sets not observed for ttlMs and returns them. */
  expire(now: number): Labels[] {
    const gone: Labels[] = [];
    for (const [key, entry] of this.seen) {
      if (now - entry.last < this.limits.ttlMs) continue;
      this.seen.delete(key);
      gone.push(entry.labels);
    }
    return gone;
  }

  /** The label sets held now. */
  live(): Labels[] {
    return [...this.seen.values()].map((e) => e.labels);
  }

  get size(): number {
    return this.seen.size;
  }

  private keyOf(labels: Labels): string {
    return JSON.stringify(this.names.map((n) => labels[n] ?? ''));
  }
}
