// The processor's minimal normalised schema (pipescope.normalised.v1): what downstream code may rely
// on, derived from the raw bytes alone and checked against the index. See docs/processor.md.
import { eventId, normaliseTime, payloadSha256 } from '../shared/identity/event-identity';
import { portabilityProblems } from '../shared/json/portable-json';

export const NORMALISED_SCHEMA = 'pipescope.normalised.v1';

export interface NormalisedEvent {
  schema: typeof NORMALISED_SCHEMA;
  event_id: string;
  source: string;
  type: string;
  entity_id: string;
  /** UTC with milliseconds. */
  occurred_at: string;
  payload_sha256: string;
  payload: Record<string, unknown>;
}

export type NormaliseResult = { ok: true; event: NormalisedEvent } | { ok: false; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses the raw bytes of one event as stored at ingest and reduces them to the normalised schema.
 * The bytes are read by ingest's own rule (portable JSON), so they mean here what they meant there.
 */
export function normaliseRaw(bytes: Buffer): NormaliseResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'raw object is not valid JSON' };
  }
  const problems = portabilityProblems(bytes);
  if (problems.length > 0) {
    return {
      ok: false,
      reason: `raw object is not portable JSON: ${problems[0].field} ${problems[0].message}`,
    };
  }
  if (!isObject(parsed)) return { ok: false, reason: 'raw object is not a JSON object' };
  const { source, type, entity_id, occurred_at, payload, idempotency_key } = parsed;
  for (const [name, value] of Object.entries({ source, type, entity_id, occurred_at })) {
    if (typeof value !== 'string' || value.length === 0)
      return { ok: false, reason: `raw ${name} is missing` };
  }
  if (!isObject(payload)) return { ok: false, reason: 'raw payload is not an object' };
  const when = Date.parse(occurred_at as string);
  if (isNaN(when)) return { ok: false, reason: 'raw occurred_at is not a time' };
  const fields = {
    source: source as string,
    type: type as string,
    entity_id: entity_id as string,
    occurred_at: occurred_at as string,
    payload,
    ...(typeof idempotency_key === 'string' ? { idempotency_key } : {}),
  };
  return {
    ok: true,
    event: {
      schema: NORMALISED_SCHEMA,
      event_id: eventId(fields),
      source: fields.source,
      type: fields.type,
      entity_id: fields.entity_id,
      occurred_at: normaliseTime(fields.occurred_at),
      payload_sha256: payloadSha256(payload),
      payload,
    },
  };
}
