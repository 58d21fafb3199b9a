// Port for named leases (leader election): one item per lease name; the holder renews it before it
// runs out, and another instance takes it over once it has. See lease.ts for the condition.

export abstract class LeaseStore {
  /** Takes or renews lease `name` for `owner` until `leaseUntil` (epoch ms); false when another owner holds it. */
  abstract acquire(name: string, owner: string, now: number, leaseUntil: number): Promise<boolean>;
  /** Gives the lease back (clean shutdown) so another instance can take it at once. */
  abstract release(name: string, owner: string): Promise<void>;
}
