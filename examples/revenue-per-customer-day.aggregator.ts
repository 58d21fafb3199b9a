// An example aggregator: revenue per customer per UTC day, from `order.*` events whose payload carries
// `customer_id` (a non-empty string) and `amount` (a number). Enable it with
//   PROCESSOR_AGGREGATORS=entity_hour,./dist/examples/revenue-per-customer-day.aggregator.js
// (or pass it to ProcessorModule.register({ aggregators: [revenuePerCustomerDay] })). See
// docs/extending.md, "Aggregators".
import type { Aggregator } from '../src/processor/aggregator';
import { dayBucket } from '../src/processor/aggregate';
import type { NormalisedEvent } from '../src/processor/normalise';

export interface RevenueValue {
  /** Orders of the customer that day. */
  orders: number;
  /** Their summed `amount`, exact to 6 decimal places, as a decimal string (no float rounding). */
  revenue: string;
}

const SCALE = 6;
/** Amounts past this are no input: toFixed writes them in exponent form. */
const MAX_AMOUNT = 1e15;

/** The amount in millionths, or undefined when the event carries no usable one. */
function micros(event: NormalisedEvent): bigint | undefined {
  const amount = event.payload.amount;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || Math.abs(amount) >= MAX_AMOUNT)
    return undefined;
  return BigInt(amount.toFixed(SCALE).replace('.', ''));
}

function customerOf(event: NormalisedEvent): string | undefined {
  const id = event.payload.customer_id;
  return typeof id === 'string' && id.length > 0 && id.length <= 256 ? id : undefined;
}

function toDecimal(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(SCALE + 1, '0');
  const whole = digits.slice(0, -SCALE);
  const fraction = digits.slice(-SCALE).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

function fromDecimal(text: string): bigint {
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const value = BigInt(`${whole}${fraction.padEnd(SCALE, '0')}`);
  return text.startsWith('-') ? -value : value;
}

function add(value: RevenueValue, inputs: readonly NormalisedEvent[]): RevenueValue {
  let revenue = fromDecimal(value.revenue);
  for (const e of inputs) revenue += micros(e) ?? 0n;
  return { orders: value.orders + inputs.length, revenue: toDecimal(revenue) };
}

export const revenuePerCustomerDay: Aggregator<RevenueValue> = {
  name: 'revenue_per_customer_day',
  version: '1',
  bucketOf(event) {
    const customer = customerOf(event);
    if (!event.type.startsWith('order.') || customer === undefined || micros(event) === undefined)
      return undefined;
    return dayBucket(customer, event.occurred_at);
  },
  compute: (inputs) => add({ orders: 0, revenue: '0' }, inputs),
  add,
};

/** What PROCESSOR_AGGREGATORS loads from this module. */
export const aggregator = revenuePerCustomerDay;
