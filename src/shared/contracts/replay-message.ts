// The replay queue's message: a small JSON pointer to the raw object, never the payload. The replay
// module builds it, the processor parses it (docs/replay.md, docs/processor.md). One file, one contract.
import { AppError } from '../errors/app-error';
import type { OutgoingMessage } from '../queue/queue-publisher';

export interface ReplayMessage {
  replay_id: string;
  event_id: string;
  s3_key: string;
  /** Inclusive byte range inside a batch object; present only for events stored in one. */
  s3_range?: [number, number];
  payload_sha256: string;
  source: string;
  type: string;
  entity_id: string;
  occurred_at: string;
}

/** What a replayed event's message is built from (a manifest entry, an index record). */
export type ReplayedEvent = Omit<ReplayMessage, 'replay_id'>;

/**
 * JSON with every character past ASCII written as a \u escape: the same value to any JSON parser, and
 * a body any SQS implementation takes (fauxqs refuses characters past U+FFFF that SQS allows).
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The queue message of one replayed event; `id` is unique within one SendMessageBatch call. */
export function toOutgoing(replayId: string, event: ReplayedEvent, id: string): OutgoingMessage {
  const message: ReplayMessage = {
    replay_id: replayId,
    event_id: event.event_id,
    s3_key: event.s3_key,
    ...(event.s3_range ? { s3_range: event.s3_range } : {}),
    payload_sha256: event.payload_sha256,
    source: event.source,
    type: event.type,
    entity_id: event.entity_id,
    occurred_at: event.occurred_at,
  };
  return {
    id,
    body: asciiJson(message),
    attributes: { replay_id: replayId, event_id: event.event_id, source: event.source, type: event.type },
  };
}

const STRING_FIELDS = ['replay_id', 's3_key', 'source', 'type', 'entity_id', 'occurred_at'] as const;

/** Parses a message body; a body that is not a replay message is an AppError (it is poison). */
export function parseReplayMessage(body: string): ReplayMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new AppError('PROCESSOR.INVALID_MESSAGE', 'message body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('PROCESSOR.INVALID_MESSAGE', 'message body is not a JSON object');
  }
  const m = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const f of STRING_FIELDS) {
    if (typeof m[f] !== 'string' || m[f].length === 0) problems.push(`${f} must be a string`);
  }
  if (typeof m.event_id !== 'string' || !/^[0-9a-f]{32}$/.test(m.event_id))
    problems.push('event_id must be 32 hex digits');
  if (typeof m.payload_sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.payload_sha256))
    problems.push('payload_sha256 must be 64 hex digits');
  const range = m.s3_range;
  if (
    range !== undefined &&
    range !== null &&
    !(
      Array.isArray(range) &&
      range.length === 2 &&
      range.every((n) => Number.isInteger(n) && (n as number) >= 0) &&
      (range[0] as number) <= (range[1] as number)
    )
  ) {
    problems.push('s3_range must be [start, end]');
  }
  if (problems.length > 0) {
    throw new AppError('PROCESSOR.INVALID_MESSAGE', `not a replay message: ${problems.join('; ')}`, problems);
  }
  return {
    replay_id: m.replay_id as string,
    event_id: m.event_id as string,
    s3_key: m.s3_key as string,
    ...(Array.isArray(range) ? { s3_range: range as [number, number] } : {}),
    payload_sha256: m.payload_sha256 as string,
    source: m.source as string,
    type: m.type as string,
    entity_id: m.entity_id as string,
    occurred_at: m.occurred_at as string,
  };
}

const LABEL_FIELDS = ['replay_id', 'source', 'type'] as const;

/**
 * What a body names, read leniently, for failure records and dead-letter listings: a poison body may
 * name nothing, and each field is kept only when it looks right.
 */
export function labelsOf(
  body: string,
): Partial<Pick<ReplayMessage, 'replay_id' | 'event_id' | 'source' | 'type'>> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const m = value as Record<string, unknown>;
  const out: Partial<Record<'replay_id' | 'event_id' | 'source' | 'type', string>> = {};
  for (const f of LABEL_FIELDS) {
    const v = m[f];
    if (typeof v === 'string' && v.length > 0 && v.length <= 256) out[f] = v;
  }
  if (typeof m.event_id === 'string' && /^[0-9a-f]{32}$/.test(m.event_id)) out.event_id = m.event_id;
  return out;
}
