// Aggregates on the single DynamoDB table, one partition per (aggregator, bucket): a forward-only
// #LATEST pointer holding the latest version (listed per entity through gsi1), an immutable item per
// earlier version (sk V#<n>, written by the commit that moves the pointer past it) and one
// contribution item per input event (sk IN#<event_id>). New versions, their contributions and the pointer
// moves of a batch are one transaction, so an event counts once and a version never lacks its inputs;
// the batch's replay progress (DONE records, `processed`) is written in that transaction too, an
// event's DONE record on the contribution that transaction adds for it when there is one.
import { cancellationCodes, cancellationItems, DynamoTable, Item, pick } from '../shared/aws/dynamo-table';
import { aggregateKeys, progressShard, replayProgressKeys } from '../shared/aws/table-keys';
import {
  AggregateStore,
  AggregateVersion,
  CommitResult,
  Contribution,
  FirstInput,
  isInline,
  itemsOf,
  VersionWrite,
} from './aggregate-store';
import { DynamoReplayMarks } from '../replay/dynamo-replay-progress';
import { carriersOf, markItemsOf, ReplayMarks } from '../replay/replay-progress';
import { Retention } from '../shared/retention/retention';
import { periodStart } from './aggregate';

const VERSION_FIELDS = [
  'aggregator',
  'aggregator_version',
  'key',
  'entity_id',
  'period',
  'hour',
  'version',
  'value',
  'input_hash',
  'input_count',
  'sample_event_ids',
  'sample_order',
  'processor_version',
  'computed_at',
  'replay_ids',
  'lineage_key',
  'added_event_ids',
  'first_input',
] as const;
const CONTRIBUTION_FIELDS = [
  'event_id',
  'payload_sha256',
  'source',
  'type',
  'occurred_at',
  's3_key',
  's3_range',
  'version',
  'counted_for',
] as const;

const toVersion = (item: Item): AggregateVersion => pick<AggregateVersion>(item, VERSION_FIELDS);

/** The stored fields of the version a write supersedes; a write without it is a programming error. */
function supersededOf(v: AggregateVersion | undefined, previous: number): Item {
  if (v?.version !== previous) throw new Error(`a write over version ${previous} must carry it whole`);
  return pick<Item>(v as unknown as Item, VERSION_FIELDS);
}
const toContribution = (item: Item): Contribution => pick<Contribution>(item, CONTRIBUTION_FIELDS);

export class DynamoAggregateStore extends AggregateStore {
  private readonly marks: DynamoReplayMarks;

  constructor(
    private readonly table: DynamoTable,
    retention: Retention,
  ) {
    super();
    this.marks = new DynamoReplayMarks(table.name, retention);
  }

  async latest(aggregator: string, key: string): Promise<AggregateVersion | undefined> {
    const item = await this.table.get(aggregateKeys.latest(aggregator, key));
    return item ? toVersion(item) : undefined;
  }

  async commit(writes: VersionWrite[], marks: ReplayMarks[] = []): Promise<CommitResult> {
    const put = (Item: Item, ConditionExpression: string, values?: Item) => ({
      Put: {
        TableName: this.table.name,
        Item,
        ConditionExpression,
        ...(values ? { ExpressionAttributeValues: values } : {}),
      },
    });
    // Each carried event's DONE record goes on its first contribution here (commitChunks' order).
    const carriers = carriersOf(marks);
    const carry = (eventId: string): Item => {
      const m = carriers.get(eventId);
      if (!m) return {};
      carriers.delete(eventId);
      const shard = m.shards === undefined ? undefined : progressShard(eventId, m.shards);
      return { counted_for: m.replayId, ...replayProgressKeys.carried(m.replayId, eventId, shard) };
    };
    const now = Date.now();
    const items = [
      ...writes.flatMap((w) => {
        const { version, added, previous, superseded } = w;
        const first = version.first_input;
        const inline = isInline(w);
        if (inline && first) {
          // Its DONE record, if this commit counts it, is on the pointer (the writer set counted_for).
          if (carriers.get(first.event_id)?.replayId !== first.counted_for)
            throw new Error('a lone first input must carry exactly the DONE record its marks carry');
          carriers.delete(first.event_id);
        }
        const { aggregator, key } = version;
        const pointer: Item = {
          ...aggregateKeys.latest(aggregator, key),
          ...version,
          gsi1pk: aggregateKeys.entity(version.entity_id),
          gsi1sk: aggregateKeys.entitySort(periodStart(version.period), aggregator),
          // Kept on every pointer that follows, as the DONE record of the bucket's first input.
          ...(first?.counted_for
            ? replayProgressKeys.carried(first.counted_for, first.event_id, first.counted_shard)
            : {}),
        };
        return [
          ...(inline ? [] : added).map((c) => ({
            Put: {
              TableName: this.table.name,
              Item: {
                ...aggregateKeys.contribution(aggregator, key, c.event_id),
                ...c,
                ...carry(c.event_id),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
              // A refusal tells which replay, if any, the contribution counted its event for.
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
            },
          })),
          // The version the pointer leaves gets its own item (the pointer held it alone). No
          // condition: the pointer's guards the commit, and a bucket written before this layout
          // already has the item, with the same content.
          ...(previous > 0
            ? [
                {
                  Put: {
                    TableName: this.table.name,
                    Item: {
                      ...aggregateKeys.version(aggregator, key, previous),
                      ...supersededOf(superseded, previous),
                    },
                  },
                },
              ]
            : []),
          previous === 0
            ? put(pointer, 'attribute_not_exists(pk)')
            : put(pointer, 'version = :previous', { ':previous': previous }),
        ];
      }),
      ...marks.flatMap((m) => this.marks.items(m, now)),
    ];
    if (carriers.size > 0) throw new Error('a carried event has no contribution in the commit');
    try {
      await this.table.transactWrite({ TransactItems: items });
      return { committed: true };
    } catch (err) {
      const codes = cancellationCodes(err);
      if (!codes) throw err;
      const found = cancellationItems(err);
      let at = 0;
      const next = (n: number) => codes.slice(at, (at += n));
      const refusals = writes.map((w) => {
        const { added } = w;
        const from = at;
        const own = next(itemsOf(w));
        if (own.every((c) => c === 'None')) return undefined;
        // A lone first input's write is its pointer alone: refused, the bucket exists (read it again).
        if (isInline(w)) return { counted: [], carried: [], stale: true };
        const counted = added.filter((_, i) => own[i] === 'ConditionalCheckFailed').map((c) => c.event_id);
        const carried = added.flatMap((c, i): [string, string][] => {
          const old = own[i] === 'ConditionalCheckFailed' ? found[from + i] : undefined;
          return typeof old?.counted_for === 'string' ? [[c.event_id, old.counted_for]] : [];
        });
        // A conflict with another writer at this moment reads as stale too: read it again.
        const stale = own.some(
          (c, i) => c !== 'None' && (i >= added.length || c !== 'ConditionalCheckFailed'),
        );
        return { counted, carried, stale };
      });
      return {
        committed: false,
        refusals,
        marks: marks.map((m) => this.marks.refusal(m, next(markItemsOf(m)))),
      };
    }
  }

  async contributions(aggregator: string, key: string, upTo?: number): Promise<Contribution[]> {
    const [items, first] = await Promise.all([
      this.queryContributions(aggregator, key, upTo),
      this.firstInput(aggregator, key),
    ]);
    const out = items.map(toContribution);
    // A lone first input is version 1's: within any `upTo`.
    if (first && !out.some((c) => c.event_id === first.event_id)) out.push(first);
    return out;
  }

  async contribution(aggregator: string, key: string, eventId: string): Promise<Contribution | undefined> {
    const item = await this.table.get(aggregateKeys.contribution(aggregator, key, eventId));
    if (item) return toContribution(item);
    const first = await this.firstInput(aggregator, key);
    return first?.event_id === eventId ? first : undefined;
  }

  /** The bucket's lone first input, as a contribution (from its pointer), if it has one. */
  private async firstInput(aggregator: string, key: string): Promise<Contribution | undefined> {
    const pointer = await this.table.get(aggregateKeys.latest(aggregator, key), 'first_input');
    const first = pointer?.first_input as FirstInput | undefined;
    return first ? toContribution(first as unknown as Item) : undefined;
  }

  private async queryContributions(aggregator: string, key: string, upTo?: number): Promise<Item[]> {
    return this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :in)',
      ExpressionAttributeValues: {
        ':pk': aggregateKeys.partition(aggregator, key),
        ':in': aggregateKeys.contributionPrefix,
        ...(upTo !== undefined ? { ':upTo': upTo } : {}),
      },
      ...(upTo !== undefined ? { FilterExpression: 'version <= :upTo' } : {}),
      ConsistentRead: true,
    });
  }

  async getVersion(aggregator: string, key: string, version: number): Promise<AggregateVersion | undefined> {
    // The latest version is on the pointer alone; every earlier one has its own item, written before
    // the pointer moved past it (so the pointer is read first).
    const latest = await this.table.get(aggregateKeys.latest(aggregator, key));
    if (!latest || Number(latest.version) < version) return undefined;
    if (latest.version === version) return toVersion(latest);
    const own = await this.table.get(aggregateKeys.version(aggregator, key, version));
    return own ? toVersion(own) : undefined;
  }

  async versions(aggregator: string, key: string): Promise<AggregateVersion[]> {
    // The pointer first: every version before the one it names has its own item by then.
    const latest = await this.table.get(aggregateKeys.latest(aggregator, key));
    if (!latest) return [];
    if (Number(latest.version) === 1) return [toVersion(latest)];
    const versions = (
      await this.table.queryAll({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: {
          ':pk': aggregateKeys.partition(aggregator, key),
          ':first': aggregateKeys.version(aggregator, key, 1).sk,
          ':last': aggregateKeys.version(aggregator, key, Number(latest.version) - 1).sk,
        },
        ScanIndexForward: true,
        ConsistentRead: true,
      })
    ).map(toVersion);
    return [...versions, toVersion(latest)];
  }

  async latestOfEntity(
    entityId: string,
    fromHour: string,
    toHour: string,
    aggregator?: string,
  ): Promise<AggregateVersion[]> {
    return (
      await this.table.queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': aggregateKeys.entity(entityId),
          ':from': fromHour,
          ':to': `${toHour}#~`,
          ...(aggregator ? { ':agg': aggregator } : {}),
        },
        ...(aggregator ? { FilterExpression: 'aggregator = :agg' } : {}),
        ScanIndexForward: true,
      })
    ).map(toVersion);
  }
}
