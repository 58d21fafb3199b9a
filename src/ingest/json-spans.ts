// Finds where each element of the top-level "events" array sits in the request bytes, so a batch
// item can be stored exactly as the producer sent it. Only called on text JSON.parse accepted, so it
// checks structure only as far as it must. JSON's structural characters are ASCII, so scanning bytes
// of UTF-8 is safe: no byte of a multi-byte character can look like one.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** [start, end) byte offsets. */
export type Span = [number, number];

class Scanner {
  i = 0;
  constructor(readonly buf: Buffer) {}

  skipSpace(): void {
    while (this.i < this.buf.length && isSpace(this.buf[this.i])) this.i++;
  }

  expect(byte: number): void {
    this.skipSpace();
    if (this.buf[this.i] !== byte) throw new Error(`expected ${String.fromCharCode(byte)} at byte ${this.i}`);
    this.i++;
  }

  /** Skips a string starting at the current quote; returns its span including quotes. */
  skipString(): Span {
    const start = this.i;
    this.i++;
    while (this.i < this.buf.length) {
      const b = this.buf[this.i];
      if (b === BACKSLASH) this.i += 2;
      else if (b === QUOTE) return [start, ++this.i];
      else this.i++;
    }
    throw new Error('unterminated string');
  }

  /** Skips any value; returns its span without surrounding whitespace. */
  skipValue(): Span {
    this.skipSpace();
    const start = this.i;
    const first = this.buf[this.i];
    if (first === QUOTE) return this.skipString();
    if (first === OPEN_OBJ || first === OPEN_ARR) {
      let depth = 0;
      while (this.i < this.buf.length) {
        const b = this.buf[this.i];
        if (b === QUOTE) {
          this.skipString();
          continue;
        }
        if (b === OPEN_OBJ || b === OPEN_ARR) depth++;
        else if (b === CLOSE_OBJ || b === CLOSE_ARR) depth--;
        this.i++;
        if (depth === 0) return [start, this.i];
      }
      throw new Error('unterminated container');
    }
    while (this.i < this.buf.length) {
      const b = this.buf[this.i];
      if (b === COMMA || b === CLOSE_OBJ || b === CLOSE_ARR || isSpace(b)) break;
      this.i++;
    }
    return [start, this.i];
  }
}

/** What eventSpans finds in a batch body: its top-level keys as written, and the items' spans. */
export interface BatchEnvelope {
  /** Every top-level key in order, repeats included (a repeat is refused: parsers disagree on it). */
  keys: string[];
  /** Spans of the elements of the last `events` array, as JSON.parse reads it; undefined if none. */
  events?: Span[];
}

/** The top-level keys and `events` element spans of a top-level JSON object. */
export function eventSpans(buf: Buffer): BatchEnvelope {
  const s = new Scanner(buf);
  s.expect(OPEN_OBJ);
  const envelope: BatchEnvelope = { keys: [] };
  s.skipSpace();
  if (buf[s.i] === CLOSE_OBJ) return envelope;
  for (;;) {
    s.skipSpace();
    const [ks, ke] = s.skipString();
    const key = JSON.parse(buf.subarray(ks, ke).toString('utf8')) as string;
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
