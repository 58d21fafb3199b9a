// Reading back what ingest stored, pure: the members of a batch object (the inverse of ndjsonObject),
// a stored event's identity as ingest computed it, and whether stored bytes still match an index item.
import type { EventRecord } from '../shared/events/event-index';
import { MAX_JSON_DEPTH } from '../shared/json/portable-json';
import { checkEvent, Prepared } from './ingest-model';
import { valueSpans } from './json-spans';

/** One event's bytes inside a raw object, with its inclusive byte range in a batch object. */
export interface StoredMember {
  bytes: Buffer;
  range?: [number, number];
}

export type Identified = { ok: true; prepared: Prepared } | { ok: false; reason: string };

/** Every item of a batch object with the byte range ingest gave it; throws when the body is not one. */
export function batchMembers(body: Buffer): StoredMember[] {
  return valueSpans(body).map(([start, end]) => ({
    bytes: body.subarray(start, end),
    range: [start, end - 1],
  }));
}

/**
 * The event stored in `bytes`, identified exactly as ingest did when it received them at
 * `receivedAtMs`: same parser, same checks (portable bytes, a valid event), same event_id, payload
 * hash, lag and flags. Payload schemas are not checked again: they may have changed since.
 */
export function identifyStored(
  bytes: Buffer,
  receivedAtMs: number,
  lateThresholdOf: (source: string) => number,
): Identified {
  let value: unknown;
  try {
    // As the ingest routes parse (json-body.ts); checkEvent then judges the bytes themselves.
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `not valid JSON: ${(err as Error).message}` };
  }
  // The deepest payload any parser here handles: ingest's own limit may have been lowered since.
  const limits = {
    maxEventBytes: Infinity,
    maxPayloadDepth: MAX_JSON_DEPTH,
    lateThresholdMs: lateThresholdOf,
  };
  const checked = checkEvent(0, value, bytes, limits, receivedAtMs);
  if (!checked.ok) {
    return { ok: false, reason: checked.problems.map((p) => `${p.field}: ${p.message}`).join('; ') };
  }
  return { ok: true, prepared: checked.prepared };
}

/** Why stored bytes no longer match their index item: empty when they do. */
export function integrityProblems(record: EventRecord, bytes: Buffer): string[] {
  const found = identifyStored(bytes, Date.parse(record.received_at), () => Number.MAX_SAFE_INTEGER);
  if (!found.ok) return [`unreadable (${found.reason})`];
  const p = found.prepared;
  const problems: string[] = [];
  if (p.payloadSha256 !== record.payload_sha256) problems.push('payload_sha256 differs');
  if (p.eventId !== record.event_id) problems.push('event_id differs');
  if (bytes.length !== record.size_bytes) problems.push(`size ${bytes.length} != ${record.size_bytes}`);
  return problems;
}
