// A small, varied history sent through the public API, for the console's browser tests and the
// screenshots in docs/console.md: healthy and unhealthy sources, repeats, a conflict, bad rows, late
// events and an entity whose sequence numbers have a hole. Uses only fetch (it also seeds a dev server).
import type { WireEvent } from './factories';

export interface Seeded {
  /** Event ids by a name the tests use. */
  ids: Record<string, string>;
  /** The entity with sequence numbers 1, 2, 3, 6, 7 (4 and 5 missing) and one repeat. */
  entity: string;
  late: string[];
  accepted: number;
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

async function post(
  base: string,
  key: string,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 500) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function seedConsoleData(base: string, producerKey: string, tag = ''): Promise<Seeded> {
  const entity = `order-${tag}1001`;
  const sequenced: WireEvent[] = [1, 2, 3, 6, 7].map((sequence) => ({
    source: 'orders-svc',
    type: sequence === 7 ? 'order.paid' : 'order.created',
    entity_id: entity,
    occurred_at: ago(60_000 - sequence * 1000),
    payload: { step: sequence, amount: 10 * sequence },
    sequence,
  }));
  const orders: WireEvent[] = Array.from({ length: 36 }, (_, i) => ({
    source: 'orders-svc',
    type: 'order.created',
    entity_id: `order-${tag}${2000 + i}`,
    occurred_at: ago(1500 + i * 100),
    payload: { amount: 5 + i, currency: 'EUR' },
  }));
  const late: WireEvent[] = [0, 1].map((i) => ({
    source: 'orders-svc',
    type: 'order.created',
    entity_id: `order-${tag}late-${i}`,
    occurred_at: ago(20 * 60_000 + i * 60_000),
    payload: { late: true, i },
  }));
  const payments: WireEvent[] = Array.from({ length: 20 }, (_, i) => ({
    source: 'payments',
    type: 'payment.captured',
    entity_id: `order-${tag}${2000 + i}`,
    occurred_at: ago(400 + i * 10),
    payload: { amount: 5 + i },
  }));
  // Numbered events one by one, so they arrive in order (a batch gives them one received time).
  const ids: Record<string, string> = {};
  for (const e of sequenced)
    ids[`seq${e.sequence}`] = (await post(base, producerKey, '/ingest', e)).event_id as string;
  const rest = [...orders, ...late, ...payments];
  const batch = await post(base, producerKey, '/ingest/batch', { events: rest });
  const results = batch.results as { index: number; event_id: string; status: string }[];
  if (batch.accepted !== rest.length) throw new Error(`seed batch: ${JSON.stringify(batch).slice(0, 500)}`);
  ids.order0 = results[0].event_id;

  // The same event sent again: twice for seq 1, once for the first plain order.
  for (const e of [sequenced[0], sequenced[0], orders[0]]) await post(base, producerKey, '/ingest', e);
  // A second, different event claiming sequence 3: a reused sequence number.
  const repeat = await post(base, producerKey, '/ingest', {
    ...sequenced[2],
    payload: { step: 3, retry: 'new' },
  });
  ids.seq3b = repeat.event_id as string;
  // An idempotency key reused with another payload: a conflict.
  const keyed = {
    source: 'orders-svc',
    type: 'order.paid',
    entity_id: `order-${tag}3000`,
    occurred_at: ago(900),
  };
  const first = await post(base, producerKey, '/ingest', {
    ...keyed,
    idempotency_key: `${tag}checkout-1`,
    payload: { amount: 1 },
  });
  ids.keyed = first.event_id as string;
  await post(base, producerKey, '/ingest', {
    ...keyed,
    idempotency_key: `${tag}checkout-1`,
    payload: { amount: 2 },
  });
  // Bad rows: a type with a space, and a missing entity id.
  await post(base, producerKey, '/ingest', { ...orders[1], type: 'order created', entity_id: 'x' });
  await post(base, producerKey, '/ingest', {
    source: 'orders-svc',
    type: 'order.created',
    occurred_at: ago(0),
    payload: {},
  });
  return {
    ids,
    entity,
    late: results.filter((r) => rest[r.index].entity_id.includes('late-')).map((r) => r.event_id),
    accepted: sequenced.length + rest.length + 2,
  };
}
