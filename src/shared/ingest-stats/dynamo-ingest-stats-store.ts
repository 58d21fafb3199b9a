// Ingest stats on the single DynamoDB table: counter rows (pk CNT#<hour>[#<shard>], sk <source>#<type>)
// updated with ADD, each writer adding to its own shard of a row, and one activity item per source and
// day (pk ACT#<source>, sk <day>) holding a number set of active minutes.
import { randomUUID } from 'node:crypto';
import { mapLimit } from '../async/map-limit';
import { DynamoTable, isConditionFailure, Item } from '../aws/dynamo-table';
import { counterShard, keys } from '../aws/table-keys';
import { fixedShards, ShardCounts } from '../shards/shard-counts';
import { LAG_BUCKETS_MS } from '../metrics/lag-histogram';
import {
  ActivityMinutes,
  CounterDelta,
  CounterRow,
  IngestStatsStore,
  mergeDelta,
  UnwrittenError,
} from './ingest-stats-store';

/**
 * UpdateItems one row takes per flush at most: the counts with the maximum lag, and the counts again
 * alone when another writer raised the maximum first (docs/scaling.md).
 */
export const COUNTER_WRITES_PER_FLUSH = 2;

/** Row reads or writes in flight at once for one call. */
const ROW_CONCURRENCY = 16;

export const COUNTS = [
  'received',
  'accepted',
  'duplicates',
  'conflicts',
  'rejected',
  'late',
  'future',
  'bytes',
  'lag_sum_ms',
] as const;

/**
 * A count as the SDK must send it: past Number.MAX_SAFE_INTEGER (a lag sum of events from year 0000
 * gets there in a few hundred events) the marshaller refuses a number, so it goes as a BigInt;
 * DynamoDB keeps 38 digits, and reading converts back to a number (approximate past 2^53).
 */
const exact = (n: number): number | bigint => (Number.isSafeInteger(n) ? n : BigInt(Math.round(n)));

const hasCounts = (d: CounterDelta): boolean =>
  COUNTS.some((c) => d[c] !== 0) || d.lag_buckets.some((n) => n !== 0);

function toCounterRow(item: Item): CounterRow {
  const n = (k: string): number => Number(item[k] ?? 0);
  return {
    source: String(item.source),
    type: String(item.type),
    hour: String(item.hour),
    received: n('received'),
    accepted: n('accepted'),
    duplicates: n('duplicates'),
    conflicts: n('conflicts'),
    rejected: n('rejected'),
    late: n('late'),
    future: n('future'),
    bytes: n('bytes'),
    lag_buckets: LAG_BUCKETS_MS.map((_, i) => n(`lag_b${i}`)),
    lag_sum_ms: n('lag_sum_ms'),
    lag_max_ms: n('lag_max_ms'),
  };
}

/**
 * How this writer spreads its counter rows: over `shards.write()` partitions per hour, by `writer` (its
 * id); readers sum `shards.read()` partitions.
 */
export interface CounterLayout {
  shards: ShardCounts;
  writer: string;
}

/** Rows whose stored maximum lag a writer remembers; past it the memory starts again (only costs a write). */
const KNOWN_MAX_ROWS = 10_000;

export class DynamoIngestStatsStore extends IngestStatsStore {
  /** The lag_max_ms each row this writer wrote is known to hold: a delta below it needs no condition. */
  private readonly knownMax = new Map<string, number>();

  constructor(
    private readonly table: DynamoTable,
    private readonly layout: CounterLayout = { shards: fixedShards(1), writer: randomUUID() },
  ) {
    super();
  }

  async addCounters(deltas: CounterDelta[]): Promise<void> {
    const unwritten: CounterDelta[] = [];
    let cause: unknown;
    await mapLimit(deltas, ROW_CONCURRENCY, async (d) => {
      try {
        await this.addRow(d);
      } catch (err) {
        // One update carries the counts and the maximum, so a failed row is retried whole.
        cause = err;
        unwritten.push(d);
      }
    });
    if (unwritten.length > 0) throw new UnwrittenError(unwritten, cause);
  }

  /**
   * One UpdateItem: ADD the counts, and SET lag_max_ms in the same write when this delta may raise it
   * (conditioned on the stored maximum being lower). Only when that condition fails (another writer
   * raised it further) does a second, unconditional ADD of the counts follow.
   */
  private async addRow(d: CounterDelta): Promise<void> {
    const shard = counterShard(this.layout.writer, d.source, d.type, this.layout.shards.write());
    const key = keys.counter(d.hour, shard, d.source, d.type);
    const id = `${key.pk}|${key.sk}`;
    const raise = d.lag_max_ms > (this.knownMax.get(id) ?? 0);
    if (!raise && !hasCounts(d)) return;
    const values: Item = { ':source': d.source, ':type': d.type, ':hour': d.hour };
    const adds: string[] = COUNTS.map((c) => {
      values[`:${c}`] = exact(d[c]);
      return `${c} :${c}`;
    });
    d.lag_buckets.forEach((n, i) => {
      if (n > 0) {
        adds.push(`lag_b${i} :b${i}`);
        values[`:b${i}`] = exact(n);
      }
    });
    const counts = {
      Key: key,
      UpdateExpression: `ADD ${adds.join(', ')} SET #source = :source, #type = :type, #hour = :hour`,
      ExpressionAttributeNames: { '#source': 'source', '#type': 'type', '#hour': 'hour' },
      ExpressionAttributeValues: values,
    };
    if (raise) {
      try {
        await this.table.update({
          ...counts,
          UpdateExpression: `${counts.UpdateExpression}, lag_max_ms = :max`,
          ConditionExpression: 'attribute_not_exists(lag_max_ms) OR lag_max_ms < :max',
          ExpressionAttributeValues: { ...values, ':max': exact(d.lag_max_ms) },
        });
        this.remember(id, d.lag_max_ms);
        return;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        if (!hasCounts(d)) return;
      }
    }
    const after = await this.table.update({ ...counts, ReturnValues: 'ALL_NEW' });
    this.remember(id, Number(after?.lag_max_ms ?? 0));
  }

  private remember(id: string, max: number): void {
    if (this.knownMax.size >= KNOWN_MAX_ROWS && !this.knownMax.has(id)) this.knownMax.clear();
    this.knownMax.set(id, max);
  }

  async markActivity(entries: ActivityMinutes[]): Promise<void> {
    const unwritten: ActivityMinutes[] = [];
    let cause: unknown;
    await mapLimit(entries, ROW_CONCURRENCY, async (e) => {
      try {
        await this.table.update({
          Key: keys.activity(e.source, e.day),
          UpdateExpression: 'ADD active_minutes :m',
          ExpressionAttributeValues: { ':m': new Set(e.minutes) },
        });
      } catch (err) {
        cause = err;
        unwritten.push(e);
      }
    });
    if (unwritten.length > 0) throw new UnwrittenError(unwritten, cause);
  }

  async counters(hours: string[], source?: string): Promise<CounterRow[]> {
    const shards = this.layout.shards.read();
    const partitions = hours.flatMap((hour) =>
      Array.from({ length: shards }, (_, shard) => keys.counterPartition(hour, shard)),
    );
    const perPartition = await mapLimit(partitions, ROW_CONCURRENCY, (pk) =>
      this.table.queryAll({
        KeyConditionExpression: source ? 'pk = :pk AND begins_with(sk, :src)' : 'pk = :pk',
        ExpressionAttributeValues: source ? { ':pk': pk, ':src': `${source}#` } : { ':pk': pk },
      }),
    );
    // A row written by several writers lies in several shards: sum them into one.
    const rows = new Map<string, CounterRow>();
    for (const item of perPartition.flat()) {
      const row = toCounterRow(item);
      const id = `${row.hour}|${row.source}|${row.type}`;
      const seen = rows.get(id);
      if (seen) mergeDelta(seen, row);
      else rows.set(id, row);
    }
    return [...rows.values()];
  }

  async activity(source: string, days: string[]): Promise<Map<string, number[]>> {
    const items = await this.table.batchGet(days.map((day) => keys.activity(source, day)));
    return new Map(
      items.map((item) => [
        String(item.sk),
        [...((item.active_minutes as Set<number>) ?? [])].map(Number).sort((a, b) => a - b),
      ]),
    );
  }
}
