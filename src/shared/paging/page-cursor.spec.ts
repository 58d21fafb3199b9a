import { AppError } from '../errors/app-error';
import { cursorKey, PageCursors, queryClock } from './page-cursor';

const scope = [{ IndexName: 'gsi1', ExpressionAttributeValues: { ':pk': 'ENT#order-1' } }];
const state = { p: 2, k: { pk: 'EVT#1', sk: '#EVT', gsi1pk: 'ENT#order-1' } };

function expectInvalid(run: () => unknown, message: RegExp = /cursor/): void {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(AppError);
  expect((thrown as AppError).code).toBe('QUERY.INVALID_CURSOR');
  expect((thrown as AppError).message).toMatch(message);
}

describe('page cursors', () => {
  const cursors = new PageCursors(Buffer.alloc(32, 7), 60_000);

  it('round-trips a state for the query that made it', () => {
    expect(cursors.open(scope, cursors.seal(scope, state))).toEqual(state);
  });

  it('refuses a cursor of another query', () => {
    const other = [{ IndexName: 'gsi1', ExpressionAttributeValues: { ':pk': 'ENT#order-2' } }];
    expectInvalid(() => cursors.open(other, cursors.seal(scope, state)));
  });

  it('refuses an edited cursor', () => {
    const cursor = cursors.seal(scope, state);
    const [body, mac] = cursor.split('.');
    const edited = Buffer.from(
      Buffer.from(body, 'base64url').toString('utf8').replace('"p":2', '"p":0'),
    ).toString('base64url');
    expectInvalid(() => cursors.open(scope, `${edited}.${mac}`));
    expectInvalid(() => cursors.open(scope, `${body}.${mac.slice(1)}A`));
    expectInvalid(() => cursors.open(scope, body));
    expectInvalid(() => cursors.open(scope, `${cursor}.x`));
  });

  it('refuses a cursor signed with another key', () => {
    const other = new PageCursors(Buffer.alloc(32, 8), 60_000);
    expectInvalid(() => cursors.open(scope, other.seal(scope, state)));
  });

  it.each(['garbage!', '', '.', 'a.b', '%%%.%%%'])('refuses %j', (cursor) => {
    expectInvalid(() => cursors.open(scope, cursor));
  });

  it('refuses an expired cursor', () => {
    jest.useFakeTimers({ now: Date.parse('2026-11-25T10:00:00Z') });
    try {
      const cursor = cursors.seal(scope, state);
      jest.setSystemTime(Date.parse('2026-11-25T10:01:01Z'));
      expectInvalid(() => cursors.open(scope, cursor), /expired/);
    } finally {
      jest.useRealTimers();
    }
  });

  it('carries the query clock of the first page', () => {
    const clock = Date.now() - 5_000;
    expect(queryClock(cursors.seal(scope, state, clock))).toBe(clock);
    expect(Math.abs(queryClock(undefined) - Date.now())).toBeLessThan(1000);
    expect(Math.abs(queryClock('garbage') - Date.now())).toBeLessThan(1000);
    const future = Buffer.from(JSON.stringify({ n: Date.now() + 86_400_000 })).toString('base64url');
    expect(queryClock(`${future}.x`)).toBeLessThanOrEqual(Date.now());
  });

  it('derives its key from CURSOR_SECRET, else from API_KEYS, the same in every instance', () => {
    const a = cursorKey({ CURSOR_TTL_S: 60, CURSOR_SECRET: 's'.repeat(32) });
    expect(cursorKey({ CURSOR_TTL_S: 60, CURSOR_SECRET: 's'.repeat(32) })).toEqual(a);
    const b = cursorKey({ CURSOR_TTL_S: 60, API_KEYS: 'producer:0123456789abcdef01' });
    expect(cursorKey({ CURSOR_TTL_S: 60, API_KEYS: 'producer:0123456789abcdef01' })).toEqual(b);
    expect(b).not.toEqual(a);
    expect(b.toString('hex')).not.toContain(Buffer.from('0123456789abcdef01').toString('hex'));
  });
});
