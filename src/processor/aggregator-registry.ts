// The aggregators this process runs: the ones PROCESSOR_AGGREGATORS names (built-in names, or modules
// that export aggregators) plus any passed to ProcessorModule.register({ aggregators }) in code.
import { resolve } from 'node:path';
import { Aggregator, aggregatorProblems } from './aggregator';
import { entityHourAggregator } from './entity-hour.aggregator';

/** Aggregators known by name alone. */
export const BUILT_IN_AGGREGATORS: readonly Aggregator[] = [entityHourAggregator];

/** Refused aggregator configuration: the process does not start. */
export class AggregatorConfigError extends Error {
  constructor(problems: string[]) {
    super(`PROCESSOR_AGGREGATORS: ${problems.join('; ')}`);
    this.name = 'AggregatorConfigError';
  }
}

export class AggregatorRegistry {
  private readonly byName: Map<string, Aggregator>;

  constructor(readonly all: readonly Aggregator[]) {
    const problems = all.flatMap((a, i) => aggregatorProblems(a, a?.name ?? `aggregator ${i + 1}`));
    const names = all.map((a) => a.name);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (twice.length > 0) problems.push(`aggregator names must be unique: ${[...new Set(twice)].join(', ')}`);
    if (all.length === 0) problems.push('at least one aggregator must be enabled');
    if (problems.length > 0) throw new AggregatorConfigError(problems);
    this.byName = new Map(all.map((a) => [a.name, a]));
  }

  get(name: string): Aggregator | undefined {
    return this.byName.get(name);
  }

  /**
   * From config entries, each a built-in name (`entity_hour`) or a module path (holding `/`, relative
   * to the working directory) exporting `aggregator`, `aggregators` or a default, plus code's own.
   */
  static async fromConfig(
    entries: readonly string[],
    extra: readonly Aggregator[] = [],
  ): Promise<AggregatorRegistry> {
    const problems: string[] = [];
    const loaded: Aggregator[] = [];
    for (const entry of entries) {
      if (!entry.includes('/')) {
        const found = BUILT_IN_AGGREGATORS.find((a) => a.name === entry);
        if (found) loaded.push(found);
        else problems.push(`${entry} is no built-in aggregator (a module path holds a /)`);
        continue;
      }
      try {
        loaded.push(...exportedAggregators((await import(resolve(entry))) as Record<string, unknown>, entry));
      } catch (err) {
        problems.push(`${entry}: ${(err as Error).message}`);
      }
    }
    if (problems.length > 0) throw new AggregatorConfigError(problems);
    return new AggregatorRegistry([...loaded, ...extra]);
  }
}

function exportedAggregators(mod: Record<string, unknown>, entry: string): Aggregator[] {
  const found = mod.aggregators ?? mod.aggregator ?? mod.default;
  if (found === undefined) throw new Error(`exports no aggregator, aggregators or default (${entry})`);
  return (Array.isArray(found) ? found : [found]) as Aggregator[];
}
