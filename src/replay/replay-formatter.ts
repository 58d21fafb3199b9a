// The extension point for replay output formats (docs/extending.md, "Replay output formats"). A
// formatter turns one replayed event into the body of its SQS message; `POST /replay` picks one by
// `name`. The built-in ones (pointer, full, cloudevents) are in replay-formats.ts; a team registers
// its own with ReplayModule.register({ formatters: [MyFormatter] }).
import type { ManifestEntry } from './replay-manifest';

/** A formatter's answer: a string is sent as it is; an object is sent as JSON (ASCII, \u escapes). */
export type ReplayBody = string | Record<string, unknown>;

export interface ReplayFormatContext {
  /** The replay id the message carries (a resend's messages carry the original's). */
  readonly replay_id: string;
  /** The largest body that fits in one SQS message (256 KiB) next to this message's attributes. */
  readonly max_body_bytes: number;
  /** The raw event's bytes exactly as stored at ingest, read from S3 on the first call. */
  raw(): Promise<Buffer>;
}

/**
 * A replay output format. Implementations are Nest providers: they may inject what they need.
 * `format` runs once per event as the replay sends (and once for the dry-run plan's sample); it
 * should be fast and must not throw for ordinary events: a throw fails the replay. A body over
 * `max_body_bytes` is not sent: the event counts as `failed`.
 */
export abstract class ReplayFormatter {
  /** What `POST /replay` names in `format`: lower-case letters, digits, `.`, `_`, `-`. */
  abstract readonly name: string;
  abstract format(event: ManifestEntry, context: ReplayFormatContext): ReplayBody | Promise<ReplayBody>;
}
