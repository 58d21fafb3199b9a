// Pluggable aggregators end to end: the example aggregator (examples/), enabled by configuration,
// produces versions with lineage next to the built-in entity_hour, from a real replay (POST /replay,
// SQS through fauxqs, the in-process consumer), and GET /aggregates filters by aggregator.
import { RawStore } from '../../src/shared/raw/raw-store';
import type { WireEvent } from '../support/factories';
import { expectedAggregates } from '../support/factories';
import { auth, startTestApp, TestApp } from '../support/test-app';

const DAY1 = '2026-11-16';
const DAY2 = '2026-11-17';
const EXAMPLE = 'revenue_per_customer_day';
// `cust-a` is also an entity id of events, so its listing holds buckets of both aggregators.
const CUSTOMERS = ['cust-a', 'cust-b'];

function history(): WireEvent[] {
  const events: WireEvent[] = [];
  let n = 0;
  for (const day of [DAY1, DAY2]) {
    for (const customer of CUSTOMERS) {
      for (let k = 0; k < 4; k++) {
        n += 1;
        events.push({
          source: 'shop-svc',
          type: k === 3 ? 'order.refunded' : 'order.paid',
          entity_id: `order-${n}`,
          occurred_at: `${day}T${String(6 + k * 5).padStart(2, '0')}:15:00.000Z`,
          payload: { customer_id: customer, amount: k === 3 ? -2.5 : 10.1 * (k + 1) },
        });
      }
    }
  }
  // No inputs of the example: another type, and an order without a customer.
  events.push({
    source: 'shop-svc',
    type: 'cart.viewed',
    entity_id: 'cust-a',
    occurred_at: `${DAY1}T09:00:00.000Z`,
    payload: { customer_id: 'cust-a', amount: 99 },
  });
  events.push({
    source: 'shop-svc',
    type: 'order.paid',
    entity_id: 'order-x',
    occurred_at: `${DAY1}T09:30:00.000Z`,
    payload: { amount: 5 },
  });
  return events;
}

/** Revenue per customer and day as the example defines it, computed here from what was sent. */
function expectedRevenue(events: WireEvent[]): Map<string, { orders: number; revenue: string }> {
  const out = new Map<string, { orders: number; micros: bigint }>();
  for (const e of events) {
    const { customer_id, amount } = e.payload as { customer_id?: string; amount?: number };
    if (!e.type.startsWith('order.') || !customer_id || typeof amount !== 'number') continue;
    const key = `${customer_id}@${e.occurred_at.slice(0, 10)}`;
    const b = out.get(key) ?? { orders: 0, micros: 0n };
    out.set(key, { orders: b.orders + 1, micros: b.micros + BigInt(Math.round(amount * 1e6)) });
  }
  const decimal = (m: bigint) => (Number(m) / 1e6).toString();
  return new Map([...out].map(([k, b]) => [k, { orders: b.orders, revenue: decimal(b.micros) }]));
}

describe('pluggable aggregators', () => {
  let t: TestApp;
  const get = (path: string) => t.http().get(path).set(auth('investigator'));
  const enc = encodeURIComponent;
  const window = `from=${DAY1}T00:00:00Z&to=${DAY2}T23:59:59Z`;

  const replay = async (filter: Record<string, unknown>): Promise<void> => {
    const res = await t
      .http()
      .post('/replay')
      .set(auth('operator'))
      .send({ filter, reason: 'aggregators test', rate_per_second: 500 })
      .expect(202);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = (await t.http().get(`/replay/${res.body.replay_id}`).set(auth('operator')).expect(200))
        .body;
      if (job.status === 'completed' && job.processed === job.matched) return;
      if (Date.now() > deadline) throw new Error(`replay did not finish: ${JSON.stringify(job)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    t = await startTestApp('aggregators', {
      PROCESSOR_AGGREGATORS: `entity_hour,./examples/revenue-per-customer-day.aggregator`,
      PROCESSOR_WAIT_TIME_S: '1',
      REPLAY_POLL_MS: '300',
    });
  });
  afterAll(() => t.close());

  it('runs the example aggregator beside entity_hour, each with its versions, input hash and lineage', async () => {
    const events = history();
    await t.http().post('/ingest/batch').set(auth('producer')).send({ events }).expect(200);
    const now = Date.now();
    await replay({
      source: 'shop-svc',
      from: new Date(now - 3_600_000).toISOString(),
      to: new Date(now + 3_600_000).toISOString(),
    });

    const want = expectedRevenue(events);
    for (const customer of CUSTOMERS) {
      const res = await get(`/aggregates?entity_id=${customer}&${window}&aggregator=${EXAMPLE}`).expect(200);
      expect(res.body.items.map((i: { key: string }) => i.key)).toEqual([
        `${customer}@${DAY1}`,
        `${customer}@${DAY2}`,
      ]);
      for (const item of res.body.items) {
        expect(item).toMatchObject({
          aggregator: EXAMPLE,
          aggregator_version: '1',
          entity_id: customer,
          period: item.key.slice(-10),
          value: want.get(item.key),
          input_count: want.get(item.key)!.orders,
          input_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        expect(item.hour).toBeUndefined();
      }
    }

    // The built-in aggregator ran on the same messages; cust-a's listing holds both unless filtered.
    const both = await get(`/aggregates?entity_id=cust-a&${window}`).expect(200);
    expect([...new Set(both.body.items.map((i: { aggregator: string }) => i.aggregator))].sort()).toEqual([
      'entity_hour',
      EXAMPLE,
    ]);
    const hourly = await get(`/aggregates?entity_id=cust-a&${window}&aggregator=entity_hour`).expect(200);
    expect(hourly.body.items).toHaveLength(1);
    expect(hourly.body.items[0].value).toEqual(
      expectedAggregates([events[events.length - 2]]).get(`cust-a@${DAY1}T09`),
    );

    // Versions, inputs and lineage of one example bucket.
    const key = `cust-b@${DAY2}`;
    const detail = await get(`/aggregates/${enc(key)}?aggregator=${EXAMPLE}`).expect(200);
    const n = detail.body.latest.version as number;
    const inputs = await get(`/aggregates/${enc(key)}/versions/${n}?aggregator=${EXAMPLE}`).expect(200);
    expect(inputs.body.input_event_ids).toHaveLength(4);
    const raw = t.app.get(RawStore);
    const lineageIds: string[] = [];
    for (const v of detail.body.versions) {
      const lineage = JSON.parse((await raw.get(v.lineage_key)).toString());
      const entry = lineage.versions.find(
        (e: { aggregator: string; key: string }) => e.aggregator === EXAMPLE && e.key === key,
      );
      expect(entry).toMatchObject({ aggregator_version: '1', version: v.version, input_hash: v.input_hash });
      lineageIds.push(...entry.added_inputs.map((i: { event_id: string }) => i.event_id));
    }
    expect(lineageIds.sort()).toEqual([...inputs.body.input_event_ids].sort());
    await get(`/aggregates/${enc(key)}`).expect(404); // not an entity_hour bucket

    // A late order: the next version of its day, with a diff of the value and the input.
    const late: WireEvent = {
      source: 'shop-svc',
      type: 'order.paid',
      entity_id: 'order-late',
      occurred_at: `${DAY2}T23:00:00.000Z`,
      payload: { customer_id: 'cust-b', amount: 0.45 },
    };
    const lateId = (await t.http().post('/ingest').set(auth('producer')).send(late).expect(201)).body
      .event_id;
    await replay({ event_ids: [lateId] });
    const diff = await get(`/aggregates/${enc(key)}/diff?from=${n}&to=${n + 1}&aggregator=${EXAMPLE}`).expect(
      200,
    );
    const before = want.get(key)!;
    expect(diff.body).toEqual({
      aggregator: EXAMPLE,
      key,
      from: n,
      to: n + 1,
      changes: [
        { field: 'orders', from: before.orders, to: before.orders + 1 },
        { field: 'revenue', from: before.revenue, to: expectedRevenue([...events, late]).get(key)!.revenue },
      ],
      added_event_ids: [lateId],
      removed_event_ids: [],
    });
    const fed = await get(`/events/${lateId}/aggregates`).expect(200);
    expect(
      fed.body.items.map((v: { aggregator: string; version: number }) => [v.aggregator, v.version]),
    ).toEqual([
      ['entity_hour', 1],
      [EXAMPLE, n + 1],
    ]);
  });

  it('refuses an aggregator name that cannot be one', async () => {
    const res = await get(`/aggregates?entity_id=cust-a&${window}&aggregator=Not-A-Name`).expect(400);
    expect(res.body.error.code).toBe('REQUEST.VALIDATION_FAILED');
  });
});
