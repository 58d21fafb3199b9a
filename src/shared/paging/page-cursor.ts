// Opaque pagination cursors: which partition of a multi-partition read we are in, and DynamoDB's
// LastEvaluatedKey within it, as base64url JSON. A cursor that does not decode is a 400.
import { AppError } from '../errors/app-error';

export interface CursorState {
  /** Index of the partition (day, hour...) the next page starts in. */
  p: number;
  /** ExclusiveStartKey inside that partition. */
  k?: Record<string, unknown>;
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorState {
  if (cursor === undefined || cursor === '') return { p: 0 };
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState;
    const keyOk =
      state.k === undefined ||
      (typeof state.k === 'object' &&
        state.k !== null &&
        Object.values(state.k).every((v) => typeof v === 'string' || typeof v === 'number'));
    if (Number.isInteger(state.p) && state.p >= 0 && keyOk) return { p: state.p, k: state.k };
  } catch {
    // fall through to the error below
  }
  throw new AppError('QUERY.INVALID_CURSOR', 'cursor: not a cursor this API returned', [
    { field: 'cursor', message: 'not a cursor this API returned' },
  ]);
}
