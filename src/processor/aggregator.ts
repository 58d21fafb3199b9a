// The Aggregator interface: what a pluggable aggregate defines (docs/extending.md, "Aggregators").
// The processor owns everything else: verification, input hashes, versions, lineage and idempotency.
import type { NormalisedEvent } from './normalise';

/** One bucket of an aggregator: an entity (any id the aggregator chooses) and a UTC period. */
export interface Bucket {
  entity_id: string;
  /** An hour `YYYY-MM-DDTHH` or a day `YYYY-MM-DD`, UTC. */
  period: string;
}

/** A changed field of an aggregate value between two versions. */
export interface ValueChange {
  /** Dotted path of the changed field, e.g. `count` or `by_type.order.created`. */
  field: string;
  from: unknown;
  to: unknown;
}

/**
 * A pluggable aggregate. `compute` must be pure and independent of input order; `add`, when given,
 * must satisfy `add(compute(a), b)` deep-equals `compute([...a, ...b])`, so the processor can build
 * each version from the previous one instead of re-reading the bucket. Values are stored as JSON.
 */
export interface Aggregator<V = unknown> {
  /** Unique among the registered aggregators: `^[a-z][a-z0-9_]{0,62}$`. */
  readonly name: string;
  /** Stored on every version; a new version recomputes each bucket's value on its next input. */
  readonly version: string;
  /** The bucket an event belongs to, or undefined when the event is no input of this aggregator. */
  bucketOf(event: NormalisedEvent): Bucket | undefined;
  /** The value of a bucket from all its inputs (each event once). */
  compute(inputs: readonly NormalisedEvent[]): V;
  /** Optional incremental form: the value after adding inputs to a value `compute` or `add` made. */
  add?(value: V, inputs: readonly NormalisedEvent[]): V;
  /** Optional: the changes between two values for `GET /aggregates/{key}/diff` (default: leaf by leaf). */
  diff?(from: V, to: V): ValueChange[];
}

export const AGGREGATOR_NAME = /^[a-z][a-z0-9_]{0,62}$/;
export const AGGREGATOR_VERSION = /^[A-Za-z0-9._-]{1,32}$/;

/** Problems of an aggregator's definition; empty when it can be registered. */
export function aggregatorProblems(a: Partial<Aggregator>, where: string): string[] {
  const problems: string[] = [];
  if (typeof a.name !== 'string' || !AGGREGATOR_NAME.test(a.name))
    problems.push(`${where}: name must match ${AGGREGATOR_NAME.source}`);
  if (typeof a.version !== 'string' || !AGGREGATOR_VERSION.test(a.version))
    problems.push(`${where}: version must match ${AGGREGATOR_VERSION.source}`);
  for (const f of ['bucketOf', 'compute'] as const) {
    if (typeof a[f] !== 'function') problems.push(`${where}: ${f} must be a function`);
  }
  for (const f of ['add', 'diff'] as const) {
    if (a[f] !== undefined && typeof a[f] !== 'function') problems.push(`${where}: ${f} must be a function`);
  }
  return problems;
}
