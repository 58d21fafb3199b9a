// A cursor over the UTF-8 bytes of JSON text that JSON.parse already accepted: it finds where strings,
// literals and whole values start and end without building them, so callers can keep or check bytes
// exactly as written. JSON's structural characters are ASCII, so no byte of a multi-byte character
// can look like one. Structure is checked only as far as the callers need.

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const OPEN_OBJ = 0x7b;
export const CLOSE_OBJ = 0x7d;
export const OPEN_ARR = 0x5b;
export const CLOSE_ARR = 0x5d;
export const COMMA = 0x2c;
export const COLON = 0x3a;

export const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

/** [start, end) byte offsets. */
export type Span = [number, number];

/** A string token's byte span, quotes included, and what decoding it needs. */
export interface StringToken {
  escaped: boolean;
  ascii: boolean;
  start: number;
  end: number;
}

export class JsonBytes {
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

  /** Reads the string token starting at the current quote. */
  string(): StringToken {
    const start = this.i++;
    let escaped = false;
    let ascii = true;
    while (this.i < this.buf.length) {
      const b = this.buf[this.i];
      if (b === BACKSLASH) {
        escaped = true;
        this.i += 2;
      } else if (b === QUOTE) {
        return { escaped, ascii, start, end: ++this.i };
      } else {
        if (b >= 0x80) ascii = false;
        this.i++;
      }
    }
    throw new Error('unterminated string');
  }

  /** A string token's text. */
  decode(token: StringToken): string {
    if (token.escaped) return JSON.parse(this.buf.toString('utf8', token.start, token.end)) as string;
    return this.buf.toString(token.ascii ? 'latin1' : 'utf8', token.start + 1, token.end - 1);
  }

  /**
   * Skips a literal (number, true, false, null); true when it is a number of at most 15 digits with
   * no exponent, which a 64-bit float always holds as written (15 is DBL_DIG).
   */
  scalar(): boolean {
    const start = this.i;
    let digits = 0;
    let plain = true;
    while (this.i < this.buf.length) {
      const b = this.buf[this.i];
      if (b === COMMA || b === CLOSE_OBJ || b === CLOSE_ARR || isSpace(b)) break;
      if (isDigit(b)) digits++;
      else if (!(b === 0x2e || (b === 0x2d && this.i === start))) plain = false;
      this.i++;
    }
    return plain && digits <= 15;
  }

  /** Skips any value without looking inside; its span without surrounding whitespace. */
  skipValue(): Span {
    this.skipSpace();
    const start = this.i;
    const first = this.buf[this.i];
    if (first === QUOTE) {
      this.string();
      return [start, this.i];
    }
    if (first !== OPEN_OBJ && first !== OPEN_ARR) {
      this.scalar();
      return [start, this.i];
    }
    let depth = 0;
    while (this.i < this.buf.length) {
      const b = this.buf[this.i];
      if (b === QUOTE) {
        this.string();
        continue;
      }
      if (b === OPEN_OBJ || b === OPEN_ARR) depth++;
      else if (b === CLOSE_OBJ || b === CLOSE_ARR) depth--;
      this.i++;
      if (depth === 0) return [start, this.i];
    }
    throw new Error('unterminated container');
  }
}
