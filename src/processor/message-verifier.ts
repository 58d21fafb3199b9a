// Verification of a replay message before it is processed: the message parses (any built-in format,
// src/shared/contracts), the event is indexed where the message says, and the raw event hashes and
// identifies exactly as the message and the index claim: read from S3, or for a `full` message the
// event it carries inline. Data a `cloudevents` message carries must hash as the index says too. A
// mismatch is an IntegrityError, never retried into success. The raw read starts with the index read
// when the message names an object ingest writes; its bytes count only if the index agrees.
import { InboundReplayMessage, parseReplayMessage, ReplayMessage } from '../shared/contracts/replay-message';
import { payloadSha256 } from '../shared/identity/event-identity';
import { AppError, StorageNotFoundError } from '../shared/errors/app-error';
import { EventIndex, EventRecord } from '../shared/events/event-index';
import { RawStore } from '../shared/raw/raw-store';
import { NormalisedEvent, normaliseRaw } from './normalise';
import { mapLimit } from '../shared/async/map-limit';
import { parseRawKey } from '../ingest/raw-keys';

/** The raw object does not match what the message and the index say: never retried into success. */
export class IntegrityError extends AppError {
  constructor(
    readonly reason: string,
    message: string,
    eventIdValue: string,
  ) {
    super('PROCESSOR.INTEGRITY_ERROR', message, { reason, event_id: eventIdValue });
    this.name = 'IntegrityError';
  }
}

export interface InboundMessage {
  messageId: string;
  body: string;
  /** ApproximateReceiveCount of this delivery, when the transport reports it. */
  receiveCount?: number;
}

export interface Verified {
  messageId: string;
  message: InboundReplayMessage;
  event: NormalisedEvent;
  record: EventRecord;
}

/** A message of a batch that could not be verified, and why. */
export interface Unverified {
  messageId: string;
  error: unknown;
}

/** What verification reads, reported as it reads it (the processor's metrics). */
export interface ReadCounter {
  itemsRead(n: number): void;
  rawBytesRead(n: number): void;
}

type RawRead = { bytes: Buffer } | { error: unknown };

const sameRange = (a?: readonly [number, number], b?: readonly [number, number]): boolean =>
  a === undefined || b === undefined ? a === b : a[0] === b[0] && a[1] === b[1];

export class MessageVerifier {
  constructor(
    private readonly index: EventIndex,
    private readonly raw: RawStore,
    private readonly reads: ReadCounter,
  ) {}

  /**
   * Verifies a batch: its index items in one BatchGetItem while the raw objects the messages point at
   * are read (in parallel; only keys ingest writes, see earlyRead), then each message against both.
   */
  async verifyBatch(messages: InboundMessage[], parallelism: number): Promise<(Verified | Unverified)[]> {
    const parsed = messages.map((m) => {
      try {
        return parseReplayMessage(m.body);
      } catch (error) {
        return { error };
      }
    });
    // At most `parallelism` reads ahead (a Lambda batch may hold thousands); the rest read after.
    const early = parsed.map((p, i) => ('error' in p || i >= parallelism ? undefined : this.earlyRead(p)));
    const ids = [...new Set(parsed.flatMap((p) => ('error' in p ? [] : [p.event_id])))];
    const records = ids.length > 0 ? await this.index.getEvents(ids) : new Map<string, EventRecord>();
    this.reads.itemsRead(records.size);
    return mapLimit([...messages.keys()], parallelism, async (i) => {
      const m = messages[i];
      const p = parsed[i];
      if ('error' in p) return { messageId: m.messageId, error: p.error };
      try {
        return await this.verify(m, p, records.get(p.event_id), early[i]);
      } catch (error) {
        return { messageId: m.messageId, error };
      }
    });
  }

  /**
   * The raw read of a message that needs one, started before the index answers, or undefined: only an
   * object ingest would write (a batch object read by range, a single object whole) is read ahead,
   * and its bytes are used only once the index confirms the key and range.
   */
  private earlyRead(message: InboundReplayMessage): Promise<RawRead> | undefined {
    if (message.event) return undefined;
    const parts = parseRawKey(message.s3_key);
    if (!parts || (parts.kind === 'batch') !== (message.s3_range !== undefined)) return undefined;
    return this.read(message.s3_key, message.s3_range);
  }

  /** Reads a raw object or range; settles either way (an early read may never be awaited). */
  private read(key: string, range?: readonly [number, number]): Promise<RawRead> {
    return this.raw.get(key, range).then(
      (bytes) => {
        this.reads.rawBytesRead(bytes.length);
        return { bytes };
      },
      (error: unknown) => ({ error }),
    );
  }

  private async verify(
    m: InboundMessage,
    message: InboundReplayMessage,
    found?: EventRecord,
    early?: Promise<RawRead>,
  ): Promise<Verified> {
    const id = message.event_id;
    // BatchGetItem reads eventually consistently: ask once more, strongly, before calling it missing.
    const record = found ?? (await this.index.getEvent(id));
    this.reads.itemsRead(found || !record ? 0 : 1);
    if (!record) throw new IntegrityError('not_indexed', `event ${id} is not in the index`, id);
    if (record.s3_key !== message.s3_key) {
      throw new IntegrityError(
        'pointer_mismatch',
        `message points at ${message.s3_key}, index at ${record.s3_key}`,
        id,
      );
    }
    const normalised = normaliseRaw(await this.rawEvent(message, record, early));
    if (!normalised.ok) throw new IntegrityError('raw_unreadable', normalised.reason, id);
    const event = normalised.event;
    // A cloudevents message's data is the payload: it must hash as the index says, like the raw one.
    const data = message.data;
    const dataHash = !('data' in message)
      ? record.payload_sha256
      : typeof data === 'object' && data !== null && !Array.isArray(data)
        ? payloadSha256(data as Record<string, unknown>)
        : 'not an object';
    if (
      event.payload_sha256 !== message.payload_sha256 ||
      event.payload_sha256 !== record.payload_sha256 ||
      dataHash !== record.payload_sha256
    ) {
      throw new IntegrityError(
        'payload_hash_mismatch',
        `raw payload hashes to ${event.payload_sha256}; message says ${message.payload_sha256}, index ${record.payload_sha256}`,
        id,
      );
    }
    const same = (a: NormalisedEvent | ReplayMessage) =>
      a.event_id === record.event_id &&
      a.source === record.source &&
      a.type === record.type &&
      a.entity_id === record.entity_id &&
      Date.parse(a.occurred_at) === Date.parse(record.occurred_at);
    if (!same(event) || !same(message)) {
      throw new IntegrityError(
        'identity_mismatch',
        'raw object, message and index disagree on the event identity',
        id,
      );
    }
    return { messageId: m.messageId, message, event, record };
  }

  /**
   * The raw event's bytes: the event a `full` message carries, else the object in S3 where the index
   * says (the early read when it asked for exactly that key and range).
   */
  private async rawEvent(
    message: InboundReplayMessage,
    record: EventRecord,
    early?: Promise<RawRead>,
  ): Promise<Buffer> {
    if (message.event) return Buffer.from(JSON.stringify(message.event));
    const same = early && message.s3_key === record.s3_key && sameRange(message.s3_range, record.s3_range);
    const got = await (same ? early : this.read(record.s3_key, record.s3_range));
    if ('bytes' in got) return got.bytes;
    if (got.error instanceof StorageNotFoundError)
      throw new IntegrityError('raw_missing', `raw object ${record.s3_key} is missing`, message.event_id);
    throw got.error;
  }
}
