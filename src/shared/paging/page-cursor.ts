// Page cursors: opaque, tamper-evident and bound to the query that made them. A cursor is
// base64url(JSON {s: state, n: query clock, x: expiry}) "." base64url(HMAC-SHA256 over the query's
// scope and that JSON), truncated to 128 bits. A cursor that was edited, made by another query
// (another entity, source, window, filter or order) or has expired is a 400 QUERY.INVALID_CURSOR,
// checked before its state reaches DynamoDB.
//
// The query clock is the instant the first page resolved its default window ("the last day") at;
// later pages resolve theirs at the same instant, so a default window does not slide while paging.
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../identity/event-identity';
import { AppError } from '../errors/app-error';

export type CursorState = Record<string, unknown>;

/** What a store needs to seal or open a cursor besides its state. */
export interface CursorKeyConfig {
  CURSOR_SECRET?: string;
  CURSOR_TTL_S: number;
  API_KEYS?: string;
}

const MAC_BYTES = 16;

export function invalidCursor(why = 'not a cursor this API returned for this query'): AppError {
  return new AppError('QUERY.INVALID_CURSOR', `cursor: ${why}`, [{ field: 'cursor', message: why }]);
}

const b64 = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** Used when no secret is configured and no API keys exist to derive one from: this process only. */
let processKey: Buffer | undefined;

/**
 * The signing key: CURSOR_SECRET when set (local mode sets it from a file in DATA_DIR); otherwise one
 * derived from API_KEYS, which every instance of a deployment shares; otherwise a key of this process.
 */
export function cursorKey(env: CursorKeyConfig): Buffer {
  if (env.CURSOR_SECRET) return createHash('sha256').update(env.CURSOR_SECRET, 'utf8').digest();
  if (env.API_KEYS) {
    return Buffer.from(hkdfSync('sha256', env.API_KEYS, 'pipescope', 'page-cursor.v1', 32));
  }
  processKey ??= randomBytes(32);
  return processKey;
}

export class PageCursors {
  constructor(
    private readonly key: Buffer,
    private readonly ttlMs: number,
  ) {}

  static fromEnv(env: CursorKeyConfig): PageCursors {
    return new PageCursors(cursorKey(env), env.CURSOR_TTL_S * 1000);
  }

  /** A cursor continuing the query `scope` (anything JSON) from `state`. */
  seal(scope: unknown, state: CursorState, clock: number = Date.now()): string {
    const body = b64(JSON.stringify({ s: state, n: clock, x: Date.now() + this.ttlMs }));
    return `${body}.${b64(this.mac(scope, body))}`;
  }

  /** The state of a cursor made by `seal(scope, ...)`, or a 400 when it was not. */
  open(scope: unknown, cursor: string): CursorState {
    const [body, mac, ...rest] = cursor.split('.');
    const given = Buffer.from(mac ?? '', 'base64url');
    if (rest.length > 0 || given.length !== MAC_BYTES || !timingSafeEqual(given, this.mac(scope, body))) {
      throw invalidCursor();
    }
    const { s, x } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
      s: CursorState;
      x: number;
    };
    if (Date.now() > x) throw invalidCursor('expired; start again from the first page');
    return s;
  }

  private mac(scope: unknown, body: string): Buffer {
    return createHmac('sha256', this.key)
      .update(canonicalJson(scope))
      .update('\n')
      .update(body)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}

/**
 * The query clock a cursor carries, read without checking it: a forged clock only changes the window
 * the query would use, and `open` then refuses the cursor because its MAC covers the clock.
 */
export function queryClock(cursor: string | undefined): number {
  if (cursor) {
    try {
      const { n } = JSON.parse(Buffer.from(cursor.split('.')[0], 'base64url').toString('utf8')) as {
        n?: unknown;
      };
      // Any instant up to now is a date every window computation can handle.
      if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= Date.now()) return n;
    } catch {
      // not a cursor: open() will say so
    }
  }
  return Date.now();
}
