import { revenuePerCustomerDay as agg } from './revenue-per-customer-day.aggregator';
import { aggregatorProblems } from '../src/processor/aggregator';
import type { NormalisedEvent } from '../src/processor/normalise';

const order = (
  id: string,
  payload: Record<string, unknown>,
  type = 'order.paid',
  at = '2026-11-25T10:00:00.000Z',
): NormalisedEvent => ({
  schema: 'pipescope.normalised.v1',
  event_id: id,
  source: 'orders-svc',
  type,
  entity_id: `order-${id}`,
  occurred_at: at,
  payload_sha256: id.repeat(64).slice(0, 64),
  payload,
});

describe('revenue_per_customer_day (example aggregator)', () => {
  it('is a valid aggregator', () => {
    expect(aggregatorProblems(agg, 'example')).toEqual([]);
  });

  it('buckets order events by customer and UTC day', () => {
    expect(
      agg.bucketOf(
        order('a', { customer_id: 'cust@1', amount: 5 }, 'order.paid', '2026-11-25T23:59:59.999Z'),
      ),
    ).toEqual({
      entity_id: 'cust@1',
      period: '2026-11-25',
    });
  });

  it.each([
    ['another type', order('a', { customer_id: 'c', amount: 5 }, 'refund.created')],
    ['no customer', order('a', { amount: 5 })],
    ['an empty customer', order('a', { customer_id: '', amount: 5 })],
    ['an amount that is text', order('a', { customer_id: 'c', amount: '5' })],
    ['an amount too large to be exact', order('a', { customer_id: 'c', amount: 1e16 })],
  ])('takes no event with %s', (_, e) => expect(agg.bucketOf(e)).toBeUndefined());

  it('sums amounts exactly, whatever their order, and counts orders', () => {
    const inputs = [0.1, 0.2, 19.99, -5.5, 1000000.000001].map((amount, i) =>
      order(`e${i}`, { customer_id: 'c', amount }),
    );
    expect(agg.compute(inputs)).toEqual({ orders: 5, revenue: '1000014.790001' });
    expect(agg.compute([...inputs].reverse())).toEqual(agg.compute(inputs));
    expect(agg.compute([])).toEqual({ orders: 0, revenue: '0' });
    expect(agg.compute([order('n', { customer_id: 'c', amount: -0.25 })])).toEqual({
      orders: 1,
      revenue: '-0.25',
    });
  });

  it('adds inputs to a value exactly as computing them all at once', () => {
    const inputs = Array.from({ length: 30 }, (_, i) =>
      order(`e${i}`, { customer_id: 'c', amount: i * 1.07 - 3 }),
    );
    let value = agg.compute(inputs.slice(0, 4));
    for (let i = 4; i < inputs.length; i += 5) value = agg.add!(value, inputs.slice(i, i + 5));
    expect(value).toEqual(agg.compute(inputs));
  });
});
