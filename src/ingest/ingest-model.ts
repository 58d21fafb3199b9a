// The ingest event model, pure: what a request's events become (prepared events with their identity,
// lag and flags), how a batch body is shaped, how a batch object lays out its items, and the index
// record each accepted event becomes (ingest-results.ts answers the outcomes). No I/O here: IngestService orchestrates the stores around it.
import type { Caller } from '../shared/auth/caller';
import type { EventRecord } from '../shared/events/event-index';
import { AppError, FieldProblem } from '../shared/errors/app-error';
import { eventId, normaliseTime, payloadSha256 } from '../shared/identity/event-identity';
import { MAX_BATCH_EVENTS } from '../shared/contracts/ingest-limits';
import { jsonProblem } from '../shared/json/json-limits';
import { MAX_JSON_DEPTH, portabilityProblems } from '../shared/json/portable-json';
import { validateIngestEvent, ValidEvent } from './ingest.dto';
import { TEXT } from '../shared/validation/event-fields';

/** An event this far ahead of the clock is accepted but flagged `future`. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

export interface RequestContext {
  requestId: string;
  /** Epoch ms the request arrived. */
  receivedAt: number;
  /** Who sent it: its key id goes into the index item, attempts and rejected rows. */
  caller: Caller;
}

export interface Prepared {
  /** Position in the request (0 for a single event). */
  index: number;
  event: ValidEvent;
  /** The event's bytes exactly as received. */
  bytes: Buffer;
  eventId: string;
  payloadSha256: string;
  occurredAt: string;
  lagMs: number;
  late: boolean;
  future: boolean;
}

/** What became of a prepared event once the index was asked. */
export type Settled =
  | { outcome: 'accepted'; record: EventRecord }
  | { outcome: 'duplicate'; record: EventRecord }
  | { outcome: 'conflict'; stored: EventRecord; differs: string[]; rejectedKey?: string }
  | { outcome: 'failed'; error: AppError };

/** A refused item: its value as parsed, its bytes as received, and what is wrong with it. */
export interface RefusedItem {
  value: unknown;
  bytes: Buffer;
  problems: FieldProblem[];
  /** Why, as kept under rejected/: `validation` unless the payload broke its schema. */
  reason?: 'validation' | 'schema';
}

/** Reads a string field of something that failed validation, if it is usable as a counter label. */
export function labelOf(value: unknown, field: 'source' | 'type'): string {
  const v = (value as Record<string, unknown> | null)?.[field];
  if (typeof v !== 'string') return '~';
  // A label goes into a counter row's key and a metric label: it must pass the field's own rule.
  const ok =
    field === 'source'
      ? /^[a-z0-9][a-z0-9._-]{0,63}$/.test(v)
      : /^\S{1,128}$/.test(v) && TEXT.test(v) && v !== '__proto__';
  return ok ? v : '~';
}

/** Identity, lag and flags of a valid event received at `receivedAtMs`. */
export function prepareEvent(
  index: number,
  event: ValidEvent,
  bytes: Buffer,
  receivedAtMs: number,
  lateThresholdMs: number,
): Prepared {
  const occurredAt = normaliseTime(event.occurred_at);
  const lagMs = receivedAtMs - Date.parse(occurredAt);
  return {
    index,
    event,
    bytes,
    eventId: eventId(event),
    payloadSha256: payloadSha256(event.payload),
    occurredAt,
    lagMs,
    late: lagMs > lateThresholdMs,
    future: -lagMs > FUTURE_TOLERANCE_MS,
  };
}

/**
 * What is wrong with a batch body's shape (empty when it is `{"events": [1..MAX_BATCH_EVENTS items]}`);
 * `keys` are its top-level keys as written, so a repeated key, which parsers read differently, is named.
 */
export function batchProblems(body: unknown, keys: string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problems.push({ field: '(body)', message: 'the body must be an object {"events": [...]}' });
    return problems;
  }
  const { events, ...rest } = body as { events?: unknown };
  const unknown = Object.keys(rest);
  for (const key of unknown.slice(0, 10)) {
    const field = key.length > 64 ? `${key.slice(0, 64)}…` : key;
    problems.push({ field, message: `unknown field ${field}` });
  }
  if (unknown.length > 10) problems.push({ field: '(body)', message: `${unknown.length} unknown fields` });
  if (keys.filter((k) => k === 'events').length > 1) {
    problems.push({ field: 'events', message: 'the key appears more than once in the body' });
  }
  if (!Array.isArray(events)) problems.push({ field: 'events', message: 'events must be an array' });
  else if (events.length < 1 || events.length > MAX_BATCH_EVENTS) {
    problems.push({ field: 'events', message: `events must hold 1 to ${MAX_BATCH_EVENTS} events` });
  }
  return problems;
}

export type EventCheck =
  | { ok: true; prepared: Prepared }
  | { ok: false; code: 'INGEST.VALIDATION_FAILED' | 'INGEST.PAYLOAD_TOO_DEEP'; problems: FieldProblem[] };

export interface EventLimits {
  maxEventBytes: number;
  /** Deepest `payload` nesting (the payload object is level 1); deeper is INGEST.PAYLOAD_TOO_DEEP. */
  maxPayloadDepth: number;
  lateThresholdMs: (source: string) => number;
}

const invalid = (problems: FieldProblem[]): EventCheck => ({
  ok: false,
  code: 'INGEST.VALIDATION_FAILED',
  problems,
});

/**
 * Reads one event (a single body or one batch item) and never throws: its bytes within the size limit,
 * its payload within the depth limit, portable (every JSON parser reads them as pipescope does), a
 * valid event, then its identity. Whatever one item holds, only that item is refused.
 */
export function checkEvent(
  index: number,
  value: unknown,
  bytes: Buffer,
  limits: EventLimits,
  receivedAtMs: number,
): EventCheck {
  if (bytes.length > limits.maxEventBytes) {
    const message = `the event is ${bytes.length} bytes; at most ${limits.maxEventBytes} are allowed`;
    return invalid([{ field: `events[${index}]`, message }]);
  }
  // Depth first, walking without recursion: hashing and validation recurse into what they read.
  const payload = (value as { payload?: unknown } | null)?.payload;
  const deep =
    typeof payload === 'object' ? jsonProblem(payload, limits.maxPayloadDepth, 'payload', false) : undefined;
  if (deep)
    return {
      ok: false,
      code: 'INGEST.PAYLOAD_TOO_DEEP',
      problems: [{ field: deep.field, message: deep.message }],
    };
  try {
    const problems = portabilityProblems(bytes);
    // Nested past what every parser reads (portability names it): not walked any further.
    if (jsonProblem(value, MAX_JSON_DEPTH, '', false)) return invalid(problems);
    const checked = validateIngestEvent(value);
    if (!checked.ok || problems.length > 0) {
      return invalid([...problems, ...(checked.ok ? [] : checked.problems)]);
    }
    const { event } = checked;
    return {
      ok: true,
      prepared: prepareEvent(index, event, bytes, receivedAtMs, limits.lateThresholdMs(event.source)),
    };
  } catch (err) {
    // A defect, not the producer's fault; still only this event is refused, and it is kept and logged.
    const message = `the event could not be read: ${(err as Error)?.message ?? String(err)}`;
    return invalid([{ field: '(body)', message }]);
  }
}

/** The first occurrence of each event id is stored; later ones in the same request settle against it. */
export function splitRepeats(prepared: Prepared[]): { firsts: Map<string, Prepared>; repeats: Prepared[] } {
  const firsts = new Map<string, Prepared>();
  const repeats: Prepared[] = [];
  for (const p of prepared) {
    if (firsts.has(p.eventId)) repeats.push(p);
    else firsts.set(p.eventId, p);
  }
  return { firsts, repeats };
}

/** One NDJSON object: each item's bytes as received, one per line, with its inclusive byte range. */
export function ndjsonObject(items: Prepared[]): { body: Buffer; ranges: Map<number, [number, number]> } {
  const ranges = new Map<number, [number, number]>();
  const parts: Buffer[] = [];
  let offset = 0;
  const newline = Buffer.from('\n');
  for (const p of items) {
    ranges.set(p.index, [offset, offset + p.bytes.length - 1]);
    parts.push(p.bytes, newline);
    offset += p.bytes.length + 1;
  }
  return { body: Buffer.concat(parts), ranges };
}

/** The index item of a prepared event stored at `s3Key` (and `range` inside a batch object). */
export function eventRecord(
  p: Prepared,
  ctx: RequestContext,
  s3Key: string,
  range?: [number, number],
): EventRecord {
  return {
    event_id: p.eventId,
    source: p.event.source,
    type: p.event.type,
    entity_id: p.event.entity_id,
    occurred_at: p.occurredAt,
    received_at: new Date(ctx.receivedAt).toISOString(),
    lag_ms: p.lagMs,
    late: p.late,
    future: p.future,
    sequence: p.event.sequence,
    idempotency_key: p.event.idempotency_key,
    schema_version: p.event.schema_version,
    payload_sha256: p.payloadSha256,
    size_bytes: p.bytes.length,
    s3_key: s3Key,
    s3_range: range,
    request_id: ctx.requestId,
    key_id: ctx.caller.id,
    duplicate_count: 0,
    conflict_count: 0,
  };
}

/** The fields of the event's identity in which a repeat differs from the stored event. */
export function identityDifferences(p: Prepared, stored: EventRecord): string[] {
  const fields: [string, unknown, unknown][] = [
    ['type', p.event.type, stored.type],
    ['entity_id', p.event.entity_id, stored.entity_id],
    ['occurred_at', p.occurredAt, stored.occurred_at],
    ['payload', p.payloadSha256, stored.payload_sha256],
  ];
  return fields.filter(([, mine, theirs]) => mine !== theirs).map(([field]) => field);
}

// The answers built from these outcomes live in ingest-results.ts.
export * from './ingest-results';
