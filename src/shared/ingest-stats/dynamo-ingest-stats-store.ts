// Ingest stats on the single DynamoDB table: counter rows (pk CNT#<hour>, sk <source>#<type>) updated
// with ADD, and one activity item per source and day (pk ACT#<source>, sk <day>) holding a number set
// of active minutes.
import { mapLimit } from '../async/map-limit';
import { DynamoTable, isConditionFailure, Item } from '../aws/dynamo-table';
import { keys } from '../aws/table-keys';
import { LAG_BUCKETS_MS } from '../metrics/lag-histogram';
import {
  ActivityMinutes,
  CounterDelta,
  CounterRow,
  emptyCounterDelta,
  IngestStatsStore,
  UnwrittenError,
} from './ingest-stats-store';

/** Row reads or writes in flight at once for one call. */
const ROW_CONCURRENCY = 16;

const COUNTS = [
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

export class DynamoIngestStatsStore extends IngestStatsStore {
  constructor(private readonly table: DynamoTable) {
    super();
  }

  async addCounters(deltas: CounterDelta[]): Promise<void> {
    const unwritten: CounterDelta[] = [];
    let cause: unknown;
    await mapLimit(deltas, ROW_CONCURRENCY, async (d) => {
      try {
        if (hasCounts(d)) await this.addCounts(d);
      } catch (err) {
        cause = err;
        unwritten.push(d);
        return;
      }
      try {
        if (d.lag_max_ms > 0 || d.lag_buckets.some((n) => n > 0)) await this.raiseLagMax(d);
      } catch (err) {
        // The counts are in; only the maximum is left to write (a retry must not add them again).
        cause = err;
        unwritten.push({ ...emptyCounterDelta(d.source, d.type, d.hour), lag_max_ms: d.lag_max_ms });
      }
    });
    if (unwritten.length > 0) throw new UnwrittenError(unwritten, cause);
  }

  private async addCounts(d: CounterDelta): Promise<void> {
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
    await this.table.update({
      Key: keys.counter(d.hour, d.source, d.type),
      UpdateExpression: `ADD ${adds.join(', ')} SET #source = :source, #type = :type, #hour = :hour`,
      ExpressionAttributeNames: { '#source': 'source', '#type': 'type', '#hour': 'hour' },
      ExpressionAttributeValues: values,
    });
  }

  /** lag_max can't be ADDed: a conditional SET raises it only when this delta's max is larger. */
  private async raiseLagMax(d: CounterDelta): Promise<void> {
    try {
      await this.table.update({
        Key: keys.counter(d.hour, d.source, d.type),
        UpdateExpression: 'SET lag_max_ms = :max',
        ConditionExpression: 'attribute_not_exists(lag_max_ms) OR lag_max_ms < :max',
        ExpressionAttributeValues: { ':max': exact(d.lag_max_ms) },
      });
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
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
    const perHour = await mapLimit(hours, ROW_CONCURRENCY, (hour) =>
      this.table.queryAll({
        KeyConditionExpression: source ? 'pk = :pk AND begins_with(sk, :src)' : 'pk = :pk',
        ExpressionAttributeValues: source
          ? { ':pk': keys.counterHour(hour), ':src': `${source}#` }
          : { ':pk': keys.counterHour(hour) },
      }),
    );
    return perHour.flat().map(toCounterRow);
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
