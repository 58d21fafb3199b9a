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

/**
 * Spans of the elements of `events` in a top-level JSON object, or undefined when the text has no
 * `events` array. With a repeated key the last one wins, as in JSON.parse.
 */
export function eventSpans(buf: Buffer): Span[] | undefined {
  const s = new Scanner(buf);
  s.expect(OPEN_OBJ);
  let found: Span[] | undefined;
  s.skipSpace();
  if (buf[s.i] === CLOSE_OBJ) return undefined;
  for (;;) {
    s.skipSpace();
    const [ks, ke] = s.skipString();
    const key = JSON.parse(buf.subarray(ks, ke).toString('utf8')) as string;
    s.expect(COLON);
    s.skipSpace();
    if (key === 'events' && buf[s.i] === OPEN_ARR) {
      found = [];
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
      s.skipValue();
    }
    s.skipSpace();
    const b = buf[s.i++];
    if (b === CLOSE_OBJ) return found;
    if (b !== COMMA) throw new Error(`expected , or } at byte ${s.i - 1}`);
  }
}

/**
 * Spans of the top-level JSON values in a sequence separated by whitespace, as in a batch object (one
 * item per line; an item sent pretty-printed keeps its own newlines, so lines alone cannot split it).
 * Throws when the bytes are not such a sequence.
 */
export function valueSpans(buf: Buffer): Span[] {
  const s = new Scanner(buf);
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
