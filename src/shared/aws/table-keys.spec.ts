// The DynamoDB key formats, pinned to literal examples: stored items are found by these keys, so a
// format change is a migration, not a refactor (docs/extending.md, "Key layout"). Change a line here
// only together with a plan for the items already written.
import {
  aggregateKeys,
  counterShard,
  alertKeys,
  daysOf,
  hoursOf,
  keys,
  progressShard,
  reconcileKeys,
  replayProgressKeys,
  schemaKeys,
  sourceShard,
} from './table-keys';

const E = '5b1f0e5c2a7d4e8f9a0b1c2d3e4f5a6b';
const AT = '2026-11-25T10:00:00.123Z';

describe('the DynamoDB key formats', () => {
  it('keys events, attempts and their index partitions', () => {
    expect(keys.event(E)).toEqual({ pk: `EVT#${E}`, sk: '#EVT' });
    expect(keys.attempt(E, AT, 'a1')).toEqual({ pk: `EVT#${E}`, sk: `ATT#${AT}#a1` });
    expect(keys.entity('order-1')).toBe('ENT#order-1');
    expect(keys.sourceDay('orders-svc', '2026-11-25')).toBe('SRC#orders-svc#2026-11-25');
    expect(keys.lateDay('orders-svc', '2026-11-25')).toBe('LATE#orders-svc#2026-11-25');
    expect(keys.duplicateDay('orders-svc', '2026-11-25')).toBe('DUP#orders-svc#2026-11-25');
    expect(keys.conflictDay('orders-svc', '2026-11-25')).toBe('CONF#orders-svc#2026-11-25');
    expect(keys.sortKey(AT, E)).toBe(`${AT}#${E}`);
  });

  it('keys rejected rows, activity, replay jobs, leases and message failures', () => {
    expect(keys.rejected('r1')).toEqual({ pk: 'REJ#r1', sk: '#REJ' });
    expect(keys.rejectedSourceDay(undefined, '2026-11-25')).toBe('REJ#~#2026-11-25');
    expect(keys.rejectedDay('2026-11-25')).toBe('REJALL#2026-11-25');
    expect(keys.activity('orders-svc', '2026-11-25')).toEqual({ pk: 'ACT#orders-svc', sk: '2026-11-25' });
    expect(keys.replayJob('j1')).toEqual({ pk: 'REPLAY#j1', sk: '#JOB' });
    expect(replayProgressKeys.done('j1', E)).toEqual({ pk: 'REPLAY#j1', sk: `DONE#${E}` });
    expect(keys.lease('alerts')).toEqual({ pk: 'LEASE#alerts', sk: '#LEASE' });
    expect(keys.messageFailure('m1')).toEqual({ pk: 'MSGFAIL#m1', sk: '#FAIL' });
  });

  it('keys reconcile jobs, alerts and schemas in partitions of their own', () => {
    expect(reconcileKeys.finding('c1', 'missing_raw', E)).toEqual({
      pk: 'RECON#c1',
      sk: `F#missing_raw#${E}`,
    });
    expect(alertKeys.state('silence', 'orders-svc')).toEqual({ pk: 'ALERTSTATE', sk: 'silence#orders-svc' });
    expect(schemaKeys.version('orders-svc', 'order.created', 3)).toEqual({
      pk: 'SCHEMA#orders-svc#order.created',
      sk: 'V#0000000003',
    });
  });

  it('keys sharded replay progress in a partition per shard, the unsharded layout beside the job', () => {
    expect(replayProgressKeys.done('j1', E, 7)).toEqual({ pk: 'REPLAY#j1#7', sk: `DONE#${E}` });
    expect(replayProgressKeys.count('j1', 7)).toEqual({ pk: 'REPLAY#j1#7', sk: '#COUNT' });
    expect(replayProgressKeys.partition('j1')).toBe('REPLAY#j1');
    expect(replayProgressKeys.partition('j1', 0)).toBe('REPLAY#j1#0');
    // Stable across processes and releases: a redelivered event finds its marker in the same shard.
    expect(progressShard(E, 64)).toBe(progressShard(E, 64));
    expect(progressShard('e1', 1)).toBe(0);
    const shards = Array.from({ length: 6400 }, (_, i) => progressShard(`event-${i}`, 64));
    const perShard = shards.reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map<number, number>());
    expect(perShard.size).toBe(64);
    // Even enough: no shard takes more than twice its share.
    expect(Math.max(...perShard.values())).toBeLessThan(200);
  });

  it('keys source-day index shards, shard 0 keeping the unsharded key', () => {
    expect(keys.sourceDay('orders-svc', '2026-11-25', 0)).toBe('SRC#orders-svc#2026-11-25');
    expect(keys.sourceDay('orders-svc', '2026-11-25', 3)).toBe('SRC#orders-svc#2026-11-25#3');
    expect(keys.sourceDayShards('orders-svc', '2026-11-25', 1)).toEqual(['SRC#orders-svc#2026-11-25']);
    expect(keys.sourceDayShards('s', '2026-11-25', 3)).toEqual([
      'SRC#s#2026-11-25',
      'SRC#s#2026-11-25#1',
      'SRC#s#2026-11-25#2',
    ]);
    // The shard of an event is a pure function of its id: pinned, so written items stay where readers look.
    expect(sourceShard(E, 1)).toBe(0);
    expect(sourceShard(E, 8)).toBe(4);
    const ids = Array.from({ length: 800 }, (_, i) => i.toString(16).padStart(32, '0'));
    const perShard = new Array<number>(8).fill(0);
    for (const id of ids) perShard[sourceShard(id, 8)] += 1;
    expect(Math.min(...perShard)).toBeGreaterThan(60);
    expect(Math.max(...perShard)).toBeLessThan(140);
  });

  it('keys counter rows by hour, shard 0 keeping the unsharded key', () => {
    expect(keys.counter('2026-11-25T10', 0, 'orders-svc', 'order.created')).toEqual({
      pk: 'CNT#2026-11-25T10',
      sk: 'orders-svc#order.created',
    });
    expect(keys.counter('2026-11-25T10', 3, 'orders-svc', 'order.created').pk).toBe('CNT#2026-11-25T10#3');
    expect(counterShard('w1', 'orders-svc', 'order.created', 1)).toBe(0);
    const shards = new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((w) => counterShard(w, 's', 't', 4)));
    expect([...shards].every((k) => Number.isInteger(k) && k >= 0 && k < 4)).toBe(true);
    expect(shards.size).toBeGreaterThan(1);
  });

  it('keys aggregates per aggregator and bucket, padding versions so string order is version order', () => {
    expect(aggregateKeys.version('entity_hour', 'order-1@2026-11-25T10', 12)).toEqual({
      pk: 'AGG#entity_hour#order-1@2026-11-25T10',
      sk: 'V#0000000012',
    });
    expect(aggregateKeys.version('a', 'k', 9).sk < aggregateKeys.version('a', 'k', 10).sk).toBe(true);
    expect(aggregateKeys.latest('entity_hour', 'k@2026-11-25')).toEqual({
      pk: 'AGG#entity_hour#k@2026-11-25',
      sk: '#LATEST',
    });
    expect(aggregateKeys.contribution('entity_hour', 'k@2026-11-25', 'e1')).toEqual({
      pk: 'AGG#entity_hour#k@2026-11-25',
      sk: 'IN#e1',
    });
    expect(aggregateKeys.entitySort('2026-11-25T00', 'revenue_per_customer_day')).toBe(
      '2026-11-25T00#revenue_per_customer_day',
    );
  });

  it('walks the UTC days and hours a window touches, oldest first', () => {
    expect(daysOf('2026-11-24T23:59:59.999Z', '2026-11-26T00:00:00.000Z')).toEqual([
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
    ]);
    expect(hoursOf('2026-11-25T22:30:00.000Z', '2026-11-26T00:10:00.000Z')).toEqual([
      '2026-11-25T22',
      '2026-11-25T23',
      '2026-11-26T00',
    ]);
  });
});
