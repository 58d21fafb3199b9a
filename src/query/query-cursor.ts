// Cursors the query service composes from repository cursors (e.g. duplicates and conflicts paged
// together). Opaque base64url JSON; anything that does not decode is 400 QUERY.INVALID_CURSOR.
import { AppError } from '../shared/errors/app-error';

export function encodeQueryCursor(state: Record<string, string | number | null>): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

/** Decodes a cursor whose values must all be strings, numbers or null, with exactly `fields`. */
export function decodeQueryCursor(
  cursor: string,
  fields: readonly string[],
): Record<string, string | number | null> {
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      typeof state === 'object' &&
      state !== null &&
      !Array.isArray(state) &&
      Object.keys(state).sort().join() === [...fields].sort().join() &&
      Object.values(state).every((v) => v === null || typeof v === 'string' || typeof v === 'number')
    ) {
      return state as Record<string, string | number | null>;
    }
  } catch {
    // fall through
  }
  throw invalidCursor();
}

/** The 400 for a cursor that decodes but does not fit the query it is sent with. */
export function invalidCursor(): AppError {
  return new AppError('QUERY.INVALID_CURSOR', 'cursor: not a cursor this API returned', [
    { field: 'cursor', message: 'not a cursor this API returned' },
  ]);
}
