import { AppError } from '../errors/app-error';
import { decodeCursor, encodeCursor } from './page-cursor';

describe('page cursor', () => {
  it('round-trips', () => {
    const state = { p: 2, k: { pk: 'EVT#1', sk: '#EVT', gsi1pk: 'ENT#x' } };
    expect(decodeCursor(encodeCursor(state))).toEqual(state);
    expect(decodeCursor(undefined)).toEqual({ p: 0 });
  });

  it.each([
    'garbage!',
    Buffer.from('{"p":-1}').toString('base64url'),
    Buffer.from('{"p":0,"k":{"a":{}}}').toString('base64url'),
  ])('rejects %s with QUERY.INVALID_CURSOR', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(AppError);
    expect(() => decodeCursor(cursor)).toThrow(/cursor/);
  });
});
