// Lineage files in S3: the inputs each aggregate version added, with their raw objects, so any output
// traces back to raw events in the lake. One file per commit (a processed batch) holds every version
// it wrote; the full input list of version n is the union of what versions 1..n added, the same as the
// bucket's contributions in DynamoDB (which the API reads).
import type { AggregateVersion, Contribution } from './aggregate-store';
import { sortInputs } from './aggregate';

export type LineageInput = Omit<Contribution, 'version'>;

export interface LineageVersion {
  aggregator: string;
  aggregator_version: string;
  key: string;
  version: number;
  input_hash: string;
  input_count: number;
  processor_version: string;
  replay_ids: string[];
  /** The inputs this version added, by occurred_at then event_id. */
  added_inputs: LineageInput[];
}

export interface Lineage {
  computed_at: string;
  versions: LineageVersion[];
}

/**
 * `lineage/date=<YYYY-MM-DD>/<commit id>.json` (the UTC day the versions were computed): a commit
 * that failed leaves its file unreferenced, never overwrites another's.
 */
export function lineageKey(computedAt: string, commitId: string): string {
  return `lineage/date=${computedAt.slice(0, 10)}/${commitId}.json`;
}

export function lineageOf(
  computedAt: string,
  versions: { version: AggregateVersion; added: readonly Contribution[] }[],
): Lineage {
  return {
    computed_at: computedAt,
    versions: versions.map(({ version: v, added }) => ({
      aggregator: v.aggregator,
      aggregator_version: v.aggregator_version,
      key: v.key,
      version: v.version,
      input_hash: v.input_hash,
      input_count: v.input_count,
      processor_version: v.processor_version,
      replay_ids: v.replay_ids,
      added_inputs: sortInputs(added).map((c): LineageInput => {
        const rest: Partial<Contribution> = { ...c };
        delete rest.version;
        return rest as LineageInput;
      }),
    })),
  };
}
