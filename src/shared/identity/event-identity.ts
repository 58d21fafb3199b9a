// Event identity: a stable event_id and payload hash from canonical JSON (RFC 8785, via
// json-canonicalize) and SHA-256. Versioned: changing what goes into an id means a new version tag.
import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';

export const IDENTITY_VERSION = 'pipescope.event-id.v1';

export interface IdentityFields {
  source: string;
  type: string;
  entity_id: string;
  /** Any RFC 3339 time; normalised to UTC milliseconds before hashing. */
  occurred_at: string;
  payload: Record<string, unknown>;
  idempotency_key?: string;
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** RFC 3339 time as UTC with exactly three fraction digits: `2026-11-25T08:00:00.123Z`. */
export function normaliseTime(rfc3339: string): string {
  return new Date(Date.parse(rfc3339)).toISOString();
}

export function canonicalJson(value: unknown): string {
  return canonicalize(value);
}

/** SHA-256 (hex) of the canonical payload: equal for payloads that differ only in key order or spacing. */
export function payloadSha256(payload: Record<string, unknown>): string {
  return sha256Hex(canonicalJson(payload));
}

/**
 * The first 128 bits of SHA-256, hex, over the canonical form of either (source, idempotency_key)
 * or (source, type, entity_id, occurred_at in UTC ms, payload).
 */
export function eventId(fields: IdentityFields): string {
  const identity =
    fields.idempotency_key !== undefined
      ? { v: IDENTITY_VERSION, source: fields.source, idempotency_key: fields.idempotency_key }
      : {
          v: IDENTITY_VERSION,
          source: fields.source,
          type: fields.type,
          entity_id: fields.entity_id,
          occurred_at: normaliseTime(fields.occurred_at),
          payload: fields.payload,
        };
  return sha256Hex(canonicalJson(identity)).slice(0, 32);
}
