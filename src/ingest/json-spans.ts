// Finds where each element of the top-level "events" array sits in the request bytes, so a batch
// item can be stored exactly as the producer sent it. Only called on text JSON.parse accepted.

import {
  CLOSE_ARR,
  CLOSE_OBJ,
  COLON,
  COMMA,
  JsonBytes,
  OPEN_ARR,
  OPEN_OBJ,
  Span,
} from '../shared/json/json-bytes';

/** What eventSpans finds in a batch body: its top-level keys as written, and the items' spans. */
export interface BatchEnvelope {
  /** Every top-level key in order, repeats included (a repeat is refused: parsers disagree on it). */
  keys: string[];
  /** Spans of the elements of the last `events` array, as JSON.parse reads it; undefined if none. */
  events?: Span[];
}

/** The top-level keys and `events` element spans of a top-level JSON object. */
export function eventSpans(buf: Buffer): BatchEnvelope {
  const s = new JsonBytes(buf);
  s.expect(OPEN_OBJ);
  const envelope: BatchEnvelope = { keys: [] };
  s.skipSpace();
  if (buf[s.i] === CLOSE_OBJ) return envelope;
  for (;;) {
    s.skipSpace();
    const key = s.decode(s.string());
    envelope.keys.push(key);
    s.expect(COLON);
    s.skipSpace();
    if (key === 'events' && buf[s.i] === OPEN_ARR) {
      const found: Span[] = [];
      envelope.events = found;
      s.i++;
      s.skipSpace();
      if (buf[s.i] === CLOSE_ARR) s.i++;
      else {
        for (;;) {
          found.push(s.skipValue());
          s.skipSpace();
          const b = buf[s.i++];
          if (b === CLOSE_ARR) break;
          if (b !== COMMA) throw new Error(`expected , or ] at byte ${s.i - 1}`);
        }
      }
    } else {
      if (key === 'events') envelope.events = undefined;
      s.skipValue();
    }
    s.skipSpace();
    const b = buf[s.i++];
    if (b === CLOSE_OBJ) return envelope;
    if (b !== COMMA) throw new Error(`expected , or } at byte ${s.i - 1}`);
  }
}

/**
 * Spans of the top-level JSON values in a sequence separated by whitespace, as in a batch object (one
 * item per line; an item sent pretty-printed keeps its own newlines, so lines alone cannot split it).
 * Throws when the bytes are not such a sequence.
 */
export function valueSpans(buf: Buffer): Span[] {
  const s = new JsonBytes(buf);
  const spans: Span[] = [];
  for (s.skipSpace(); s.i < buf.length; s.skipSpace()) {
    const first = buf[s.i];
    if (first !== OPEN_OBJ) {
      throw new Error(`expected a JSON object at byte ${s.i}`);
    }
    spans.push(s.skipValue());
  }
  return spans;
}
