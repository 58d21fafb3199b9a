// The work one read may do: storage round trips, items the store examines (DynamoDB's ScannedCount,
// what a FilterExpression costs even when nothing matches) and wall time. A read that spends its
// budget stops and answers what it found with a cursor to continue, the way DynamoDB's own Query
// stops at 1 MB with a LastEvaluatedKey.

export interface ReadLimits {
  maxRoundTrips: number;
  maxItems: number;
  maxMs: number;
}

export class ReadBudget {
  private roundTrips = 0;
  private items = 0;
  private readonly started: number;

  constructor(
    private readonly limits: ReadLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** True once any of the three limits is reached: no further round trip may start. */
  spent(): boolean {
    return (
      this.roundTrips >= this.limits.maxRoundTrips ||
      this.items >= this.limits.maxItems ||
      this.now() - this.started >= this.limits.maxMs
    );
  }

  /** The item limit of the next round trip: `want`, but never more than the budget has left. */
  limit(want: number): number {
    return Math.max(1, Math.min(want, this.limits.maxItems - this.items));
  }

  /** Records one round trip that examined `examined` items. */
  charge(examined: number): void {
    this.roundTrips += 1;
    this.items += examined;
  }
}
