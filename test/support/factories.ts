import { EventRecord } from '../../src/shared/events/event-index';

let n = 0;

/** An index record with sensible defaults; ids are unique per call. */
export function eventRecord(overrides: Partial<EventRecord> = {}): EventRecord {
  n += 1;
  const id = `${Date.now().toString(16)}${n.toString(16).padStart(8, '0')}`.padEnd(32, '0').slice(0, 32);
  return {
    event_id: id,
    source: 'orders-svc',
    type: 'order.created',
    entity_id: 'order-1',
    occurred_at: '2026-11-25T10:00:00.000Z',
    received_at: '2026-11-25T10:00:01.000Z',
    lag_ms: 1000,
    late: false,
    future: false,
    payload_sha256: 'a'.repeat(64),
    size_bytes: 10,
    s3_key: `raw/${id}.json`,
    request_id: `req-${n}`,
    duplicate_count: 0,
    conflict_count: 0,
    ...overrides,
  };
}

export interface WireEvent {
  source: string;
  type: string;
  entity_id: string;
  occurred_at: string;
  payload: Record<string, unknown>;
  idempotency_key?: string;
  sequence?: number;
  schema_version?: string;
}

let w = 0;

/** A valid event as a producer sends it; unique payload per call unless overridden. */
export function wireEvent(overrides: Partial<WireEvent> = {}): WireEvent {
  w += 1;
  return {
    source: 'orders-svc',
    type: 'order.created',
    entity_id: `order-${w}`,
    occurred_at: new Date(Date.now() - 1000).toISOString(),
    payload: { n: w, amount: 10 + w },
    ...overrides,
  };
}

/** A received_at window from a day ago to a day ahead: ingest stamps events with the server clock. */
export function aroundNow(): { from: string; to: string } {
  return {
    from: new Date(Date.now() - 86_400_000).toISOString(),
    to: new Date(Date.now() + 86_400_000).toISOString(),
  };
}

/** The expected aggregates, computed here from the events as sent, independently of the app. */
export function expectedAggregates(events: WireEvent[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, { count: number; by_type: Map<string, number>; times: string[] }>();
  for (const e of events) {
    const utc = new Date(Date.parse(e.occurred_at)).toISOString();
    const key = `${e.entity_id}@${utc.slice(0, 13)}`;
    const b = out.get(key) ?? { count: 0, by_type: new Map<string, number>(), times: [] };
    b.count += 1;
    b.by_type.set(e.type, (b.by_type.get(e.type) ?? 0) + 1);
    b.times.push(utc);
    out.set(key, b);
  }
  return new Map(
    [...out].map(([key, b]) => {
      const times = b.times.sort();
      return [
        key,
        {
          count: b.count,
          by_type: Object.fromEntries(b.by_type),
          first_occurred_at: times[0],
          last_occurred_at: times[times.length - 1],
        },
      ];
    }),
  );
}
