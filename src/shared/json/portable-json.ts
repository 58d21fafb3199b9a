// Portable JSON: text that every common JSON parser reads as the same value, so the bytes kept in the
// lake mean one thing to pipescope, to its processor and to Athena, DuckDB, Python or Go alike. It
// checks what JSON.parse lets through but other parsers read differently or refuse: invalid UTF-8, a
// byte order mark, duplicate keys, numbers a 64-bit float cannot hold, escaped lone surrogates, deep
// nesting, and the prototype-poisoning keys `__proto__` and `constructor.prototype`. Used on text
// JSON.parse accepted (json-bytes.ts walks its bytes).
import { isUtf8 } from 'node:buffer';
import type { FieldProblem } from '../errors/app-error';
import { CLOSE_ARR, CLOSE_OBJ, JsonBytes, OPEN_ARR, OPEN_OBJ, QUOTE } from './json-bytes';

/** Containers nested deeper than this are refused (Ruby's parser stops at 100, serde_json at 128). */
export const MAX_JSON_DEPTH = 64;
/** Problems reported for one text at most: enough to fix it, bounded whatever the input. */
export const MAX_PROBLEMS = 20;

const LONE_SURROGATE = /\p{Cs}/u;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export const startsWithBom = (bytes: Buffer): boolean =>
  bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

/** `payload.items[2]` style paths; odd keys bracketed and quoted, long ones shortened. */
export function pathOf(root: string, segments: readonly (string | number)[]): string {
  let path = root;
  for (const key of segments) {
    if (typeof key === 'number') path = `${path}[${key}]`;
    else if (IDENTIFIER.test(key) && key.length <= 64) path = path ? `${path}.${key}` : key;
    else path = `${path}[${JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key)}]`;
  }
  return path || '(body)';
}

/** A decimal literal as sign, significant digits and exponent, so equal values compare equal. */
function decimalValue(literal: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) return literal;
  const fraction = m[3] ?? '';
  let digits = (m[2] + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = Number(m[4] ?? 0) - fraction.length;
  const significant = digits.replace(/0+$/, '');
  exponent += digits.length - significant.length;
  digits = significant;
  return `${m[1]}${digits}e${exponent}`;
}

/**
 * Why a number literal would not be read the same everywhere, or undefined. A number must survive a
 * round trip through a 64-bit float: its value must equal the shortest form of the double it parses
 * to (`0.1` and `1.50` do; `12345678901234567890`, `0.10000000000000001` and `1e400` do not).
 * `-0` reads as 0, which is what the canonical form (RFC 8785) makes of it anyway.
 */
export function numberProblem(literal: string): string | undefined {
  if (/^-?(0|[1-9]\d{0,14})$/.test(literal)) return undefined;
  const n = Number(literal);
  const shown = literal.length > 40 ? `${literal.slice(0, 40)}…` : literal;
  if (!Number.isFinite(n)) return `${shown} is beyond the range of a 64-bit float; send it as a string`;
  if (decimalValue(literal) === decimalValue(String(n))) return undefined;
  return `${shown} has more precision than a 64-bit float keeps (it reads as ${String(n)}); send it as a string`;
}

class Walker extends JsonBytes {
  readonly problems: FieldProblem[] = [];
  /** The keys and indexes leading to the current value; composed into a path only for a report. */
  private readonly path: (string | number)[] = [];

  constructor(
    buf: Buffer,
    private readonly root: string,
  ) {
    super(buf);
  }

  report(message: string): void {
    if (this.problems.length < MAX_PROBLEMS)
      this.problems.push({ field: pathOf(this.root, this.path), message });
  }

  value(depth: number, parentKey: string | undefined): void {
    this.skipSpace();
    const first = this.buf[this.i];
    if (first === OPEN_OBJ || first === OPEN_ARR) {
      if (depth >= MAX_JSON_DEPTH) {
        this.report(`nested deeper than ${MAX_JSON_DEPTH} levels`);
        this.skipValue();
      } else if (first === OPEN_OBJ) this.object(depth + 1, parentKey);
      else this.array(depth + 1);
      return;
    }
    if (first === QUOTE) {
      const token = this.string();
      if (token.escaped && LONE_SURROGATE.test(this.decode(token))) {
        this.report('holds an unpaired UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair)');
      }
      return;
    }
    const start = this.i;
    if (this.scalar() || !(first === 0x2d || (first >= 0x30 && first <= 0x39))) return;
    const problem = numberProblem(this.buf.toString('latin1', start, this.i));
    if (problem) this.report(problem);
  }

  object(depth: number, parentKey: string | undefined): void {
    this.i++;
    this.skipSpace();
    if (this.buf[this.i] === CLOSE_OBJ) {
      this.i++;
      return;
    }
    // Most objects have a handful of keys: a list is cheaper than a Set until it grows.
    const seen: string[] = [];
    let many: Set<string> | undefined;
    while (this.i < this.buf.length) {
      this.skipSpace();
      const key = this.decode(this.string());
      this.path.push(key);
      if (many ? many.has(key) : seen.includes(key))
        this.report('the key appears more than once in its object');
      if (many) many.add(key);
      else if (seen.push(key) > 16) many = new Set(seen);
      if (LONE_SURROGATE.test(key)) this.report('the key holds an unpaired UTF-16 surrogate');
      if (key === '__proto__') this.report('the key __proto__ is not allowed');
      if (key === 'prototype' && parentKey === 'constructor')
        this.report('constructor.prototype is not allowed');
      this.skipSpace();
      this.i++; // the colon
      this.value(depth, key);
      this.path.pop();
      this.skipSpace();
      if (this.buf[this.i++] === CLOSE_OBJ) return;
    }
  }

  array(depth: number): void {
    this.i++;
    this.skipSpace();
    if (this.buf[this.i] === CLOSE_ARR) {
      this.i++;
      return;
    }
    for (let index = 0; this.i < this.buf.length; index++) {
      this.path.push(index);
      this.value(depth, undefined);
      this.path.pop();
      this.skipSpace();
      if (this.buf[this.i++] === CLOSE_ARR) return;
    }
  }
}

/**
 * What in these bytes (JSON text that JSON.parse accepted) other parsers would read differently or
 * refuse, each problem naming its path (`payload.items[2].price`); empty when the text is portable.
 * `path` prefixes every field, for text that is part of a larger document.
 */
export function portabilityProblems(bytes: Buffer, path = ''): FieldProblem[] {
  const at = path || '(body)';
  if (startsWithBom(bytes)) {
    return [{ field: at, message: 'starts with a byte order mark (U+FEFF); send UTF-8 without one' }];
  }
  if (!isUtf8(bytes)) return [{ field: at, message: 'is not valid UTF-8' }];
  const walker = new Walker(bytes, path);
  walker.value(0, undefined);
  return walker.problems;
}
