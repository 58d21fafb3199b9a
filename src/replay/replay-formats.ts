// The replay output formats this instance knows: the built-in pointer, full and cloudevents, plus
// the ones a team registered (ReplayModule.register({ formatters })). Builds each event's message the
// same way for the sender and for the dry-run plan's sample.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { cloudEvent } from '../shared/contracts/cloud-event';
import {
  asciiJson,
  attributesOf,
  fullBody,
  messageBytes,
  pointerOf,
  SQS_MESSAGE_MAX_BYTES,
} from '../shared/contracts/replay-message';
import { StorageNotFoundError } from '../shared/errors/app-error';
import type { OutgoingMessage } from '../shared/queue/queue-publisher';
import { RawStore } from '../shared/raw/raw-store';
import type { ManifestEntry } from './replay-manifest';
import { ReplayBody, ReplayFormatContext, ReplayFormatter } from './replay-formatter';

/** The token under which ReplayModule.register provides a team's formatters. */
export const REPLAY_FORMATTERS = 'pipescope:replay-formatters';

export const DEFAULT_FORMAT = 'pointer';
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

type Parsed = { ok: true; value: Record<string, unknown>; text: string } | { ok: false; missing: boolean };

/** The raw event read through the context, as JSON text and object; why not when it cannot be. */
async function readRaw(context: ReplayFormatContext): Promise<Parsed> {
  let bytes: Buffer;
  try {
    bytes = await context.raw();
  } catch (err) {
    if (err instanceof StorageNotFoundError) return { ok: false, missing: true };
    throw err;
  }
  const text = bytes.toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return { ok: true, value: value as Record<string, unknown>, text };
  } catch {
    // reported below
  }
  return { ok: false, missing: false };
}

/** A formatter's answer still to come (an object body, being JSON, never has a `then` function). */
export const isPromiseLike = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

const why = (r: { missing: boolean }) => (r.missing ? 'raw_missing' : 'raw_unreadable');

/** Today's message: a small JSON pointer to the raw object, never the payload. */
@Injectable()
export class PointerFormatter extends ReplayFormatter {
  readonly name = 'pointer';
  format(event: ManifestEntry, context: ReplayFormatContext): ReplayBody {
    // The object, not its text: ReplayFormats writes it as ASCII JSON and so knows its size unmeasured.
    return pointerOf(context.replay_id, event);
  }
}

/** The pointer plus the raw event inline, or `event_omitted: "too_large"` when it would not fit. */
@Injectable()
export class FullFormatter extends ReplayFormatter {
  readonly name = 'full';
  async format(event: ManifestEntry, context: ReplayFormatContext): Promise<ReplayBody> {
    const { replay_id: replayId, max_body_bytes: max } = context;
    // Not read at all when its stored bytes alone cannot fit beside the pointer.
    if (fullBody(replayId, event, { text: '' }).length + event.size_bytes > max) {
      return fullBody(replayId, event, { omitted: 'too_large' });
    }
    const raw = await readRaw(context);
    if (!raw.ok) return fullBody(replayId, event, { omitted: why(raw) });
    const body = fullBody(replayId, event, { text: raw.text });
    return Buffer.byteLength(body) <= max ? body : fullBody(replayId, event, { omitted: 'too_large' });
  }
}

/** CloudEvents 1.0, JSON structured mode, the payload as `data` when it fits. */
@Injectable()
export class CloudEventsFormatter extends ReplayFormatter {
  readonly name = 'cloudevents';
  async format(event: ManifestEntry, context: ReplayFormatContext): Promise<ReplayBody> {
    const raw = await readRaw(context);
    if (!raw.ok) return asciiJson(cloudEvent(context.replay_id, event, { omitted: why(raw) }));
    const body = asciiJson(cloudEvent(context.replay_id, event, { data: raw.value.payload }));
    return Buffer.byteLength(body) <= context.max_body_bytes
      ? body
      : asciiJson(cloudEvent(context.replay_id, event, { omitted: 'too_large' }));
  }
}

/** One event's message; `oversize` when the formatter's body does not fit in an SQS message. */
export type FormattedMessage = OutgoingMessage & {
  attributes: Record<string, string>;
  bytes: number;
  oversize: boolean;
};

@Injectable()
export class ReplayFormats {
  private readonly byName = new Map<string, ReplayFormatter>();

  constructor(
    private readonly raw: RawStore,
    pointer: PointerFormatter,
    full: FullFormatter,
    cloudevents: CloudEventsFormatter,
    @Optional() @Inject(REPLAY_FORMATTERS) custom: ReplayFormatter[] | null,
  ) {
    for (const f of [pointer, full, cloudevents, ...(custom ?? [])]) {
      if (!NAME.test(f.name)) {
        throw new Error(
          `replay formatter ${f.constructor.name}: name ${JSON.stringify(f.name)} must match ${NAME}`,
        );
      }
      if (this.byName.has(f.name)) throw new Error(`replay format ${f.name} is registered twice`);
      this.byName.set(f.name, f);
    }
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * The message of one event in format `name` (which must be registered here). Synchronous when the
   * format's formatter is (pointer): a replay sends thousands of these a second, and a promise each
   * cost it measurably (docs/benchmarks.md).
   */
  message(
    name: string,
    replayId: string,
    entry: ManifestEntry,
    id: string,
  ): FormattedMessage | Promise<FormattedMessage> {
    const formatter = this.byName.get(name);
    if (!formatter) throw new Error(`replay format ${name} is not registered on this instance`);
    const attributes = attributesOf(replayId, entry, name);
    const attributeBytes = messageBytes('', attributes);
    let read: Promise<Buffer> | undefined;
    const context: ReplayFormatContext = {
      replay_id: replayId,
      max_body_bytes: SQS_MESSAGE_MAX_BYTES - attributeBytes,
      raw: () => (read ??= this.raw.get(entry.s3_key, entry.s3_range)),
    };
    const finish = (out: ReplayBody): FormattedMessage => {
      // ASCII JSON has as many bytes as characters; a formatter's own text is measured.
      const body = typeof out === 'string' ? out : asciiJson(out);
      const bytes = (typeof out === 'string' ? Buffer.byteLength(body) : body.length) + attributeBytes;
      return { id, body, attributes, bytes, oversize: bytes > SQS_MESSAGE_MAX_BYTES };
    };
    const out = formatter.format(entry, context);
    return isPromiseLike(out) ? Promise.resolve(out).then(finish) : finish(out);
  }
}
