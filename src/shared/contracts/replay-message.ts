// The replay queue's messages. The replay module builds them, the processor parses them
// (docs/replay.md, docs/processor.md): one file per contract, and parsing in this folder only.
// Built-in formats: `pointer` (a small JSON pointer to the raw object, the default), `full` (the
// pointer plus the raw event inline when it fits in an SQS message) and `cloudevents` (cloud-event.ts).
import { AppError } from '../errors/app-error';
import type { OutgoingMessage } from '../queue/queue-publisher';
import { fromCloudEvent, isCloudEvent } from './cloud-event';

export const BUILT_IN_FORMATS = ['pointer', 'full', 'cloudevents'] as const;
export type BuiltInFormat = (typeof BUILT_IN_FORMATS)[number];

/** SQS's message size limit (body plus attributes) that replay keeps every message under: 256 KiB. */
export const SQS_MESSAGE_MAX_BYTES = 262_144;

/** Why a `full` or `cloudevents` message carries no event: too big to fit, or the raw object unreadable. */
export const OMITTED_REASONS = ['too_large', 'raw_missing', 'raw_unreadable'] as const;
export type OmittedReason = (typeof OMITTED_REASONS)[number];

/** A type, not an interface, so a formatter may answer it as a ReplayBody (a plain record). */
export type ReplayMessage = {
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
};

/** What a replayed event's message is built from (a manifest entry, an index record). */
export type ReplayedEvent = Omit<ReplayMessage, 'replay_id'>;

/** A parsed message of any built-in format: the pointer, plus what the format carried inline. */
export interface InboundReplayMessage extends ReplayMessage {
  format: BuiltInFormat;
  /** `full`: the raw event as stored. */
  event?: Record<string, unknown>;
  /** `cloudevents`: the payload carried as `data`. */
  data?: unknown;
  /** Set when the format would carry the event but this message does not, and why. */
  omitted?: OmittedReason;
}

/**
 * Every character past ASCII as a \u escape: the same JSON to any parser, inside strings or not. Text
 * that is already ASCII (as many UTF-8 bytes as characters, no DEL) is answered as it is, without the
 * regular expression's scan: most replay messages are.
 */
export const asciiEscape = (json: string): string =>
  Buffer.byteLength(json) === json.length && !json.includes('\u007f')
    ? json
    : json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * JSON with every character past ASCII written as a \u escape: the same value to any JSON parser, and
 * a body any SQS implementation takes (fauxqs refuses characters past U+FFFF that SQS allows).
 */
export const asciiJson = (value: unknown): string => asciiEscape(JSON.stringify(value));

/** The pointer fields of one replayed event, in the documented order. */
export function pointerOf(replayId: string, event: ReplayedEvent): ReplayMessage {
  // Both shapes written out rather than spread: replay builds thousands of these a second.
  return event.s3_range
    ? {
        replay_id: replayId,
        event_id: event.event_id,
        s3_key: event.s3_key,
        s3_range: event.s3_range,
        payload_sha256: event.payload_sha256,
        source: event.source,
        type: event.type,
        entity_id: event.entity_id,
        occurred_at: event.occurred_at,
      }
    : {
        replay_id: replayId,
        event_id: event.event_id,
        s3_key: event.s3_key,
        payload_sha256: event.payload_sha256,
        source: event.source,
        type: event.type,
        entity_id: event.entity_id,
        occurred_at: event.occurred_at,
      };
}

/**
 * A `full` body: the pointer and, as `event`, the raw event's JSON text exactly as stored (only
 * characters past ASCII escaped, which JSON reads the same), or `event_omitted` saying why not.
 */
export function fullBody(
  replayId: string,
  event: ReplayedEvent,
  raw: { text: string } | { omitted: OmittedReason },
): string {
  const pointer = asciiJson({ ...pointerOf(replayId, event), format: 'full' });
  if ('omitted' in raw) return `${pointer.slice(0, -1)},"event_omitted":${JSON.stringify(raw.omitted)}}`;
  return `${pointer.slice(0, -1)},"event":${asciiEscape(raw.text.trim())}}`;
}

/** The routing attributes every replay message carries, whatever its format. */
export function attributesOf(replayId: string, event: ReplayedEvent, format: string): Record<string, string> {
  const attributes: Record<string, string> = {
    replay_id: replayId,
    event_id: event.event_id,
    source: event.source,
    type: event.type,
  };
  if (format !== 'pointer') attributes.format = format;
  return attributes;
}

/** Bytes of one message as SQS counts them against its limit: body, then each attribute's name, type, value. */
export function messageBytes(body: string, attributes: Record<string, string> = {}): number {
  let n = Buffer.byteLength(body);
  for (const k of Object.keys(attributes))
    n += Buffer.byteLength(k) + 'String'.length + Buffer.byteLength(attributes[k]);
  return n;
}

/** The `pointer` queue message of one replayed event; `id` is unique within one SendMessageBatch call. */
export function toOutgoing(replayId: string, event: ReplayedEvent, id: string): OutgoingMessage {
  return {
    id,
    body: asciiJson(pointerOf(replayId, event)),
    attributes: attributesOf(replayId, event, 'pointer'),
  };
}

const STRING_FIELDS = ['replay_id', 's3_key', 'source', 'type', 'entity_id', 'occurred_at'] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const invalid = (message: string, problems?: string[]): AppError =>
  new AppError('PROCESSOR.INVALID_MESSAGE', message, problems);

/** The problems of a message's pointer fields (shared by every format); empty when they are right. */
export function pointerProblems(m: Record<string, unknown>): string[] {
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
  return problems;
}

/** Parses a message body of any built-in format; a body that is not one is an AppError (poison). */
export function parseReplayMessage(body: string): InboundReplayMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw invalid('message body is not JSON');
  }
  if (!isObject(value)) throw invalid('message body is not a JSON object');
  const m = isCloudEvent(value) ? fromCloudEvent(value) : value;
  const problems = pointerProblems(m);
  const format = m.format ?? 'pointer';
  if (format !== 'pointer' && format !== 'full' && format !== 'cloudevents')
    problems.push('format is unknown');
  if (m.event !== undefined && !isObject(m.event)) problems.push('event must be a JSON object');
  const omitted = m.event_omitted;
  if (omitted !== undefined && !(OMITTED_REASONS as readonly unknown[]).includes(omitted))
    problems.push(`event_omitted must be one of ${OMITTED_REASONS.join(', ')}`);
  if (problems.length > 0) {
    throw invalid(`not a replay message: ${problems.join('; ')}`, problems);
  }
  const range = m.s3_range;
  return {
    ...pointerOf(m.replay_id as string, {
      event_id: m.event_id as string,
      s3_key: m.s3_key as string,
      ...(Array.isArray(range) ? { s3_range: range as [number, number] } : {}),
      payload_sha256: m.payload_sha256 as string,
      source: m.source as string,
      type: m.type as string,
      entity_id: m.entity_id as string,
      occurred_at: m.occurred_at as string,
    }),
    format: format as BuiltInFormat,
    ...(isObject(m.event) ? { event: m.event } : {}),
    ...('data' in m && m.data !== undefined ? { data: m.data } : {}),
    ...(omitted !== undefined ? { omitted: omitted as OmittedReason } : {}),
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
  if (!isObject(value)) return {};
  const m = isCloudEvent(value) ? fromCloudEvent(value) : value;
  const out: Partial<Record<'replay_id' | 'event_id' | 'source' | 'type', string>> = {};
  for (const f of LABEL_FIELDS) {
    const v = m[f];
    if (typeof v === 'string' && v.length > 0 && v.length <= 256) out[f] = v;
  }
  if (typeof m.event_id === 'string' && /^[0-9a-f]{32}$/.test(m.event_id)) out.event_id = m.event_id;
  return out;
}
