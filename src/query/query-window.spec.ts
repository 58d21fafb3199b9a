import { AppError } from '../shared/errors/app-error';
import { DAY_MS, HOUR_MS, parseWindow } from './query-window';

const NOW = Date.parse('2026-11-26T04:00:00.000Z');

describe('parseWindow', () => {
  it('normalises offsets to UTC milliseconds', () => {
    expect(
      parseWindow('2026-11-25T12:00:00+02:00', '2026-11-25T12:30:00.5Z', { defaultSpanMs: HOUR_MS }, NOW),
    ).toEqual({ from: '2026-11-25T10:00:00.000Z', to: '2026-11-25T12:30:00.500Z' });
  });

  it('defaults to the last span ending now, or at to', () => {
    expect(parseWindow(undefined, undefined, { defaultSpanMs: DAY_MS }, NOW)).toEqual({
      from: '2026-11-25T04:00:00.000Z',
      to: '2026-11-26T04:00:00.000Z',
    });
    expect(parseWindow(undefined, '2026-11-20T00:00:00Z', { defaultSpanMs: HOUR_MS }, NOW)).toEqual({
      from: '2026-11-19T23:00:00.000Z',
      to: '2026-11-20T00:00:00.000Z',
    });
  });

  it('uses explicit defaults when given (open entity windows)', () => {
    expect(
      parseWindow(
        undefined,
        undefined,
        { defaultSpanMs: 0, defaultFrom: '1970-01-01T00:00:00Z', defaultTo: '9999-12-31T23:59:59.999Z' },
        NOW,
      ),
    ).toEqual({ from: '1970-01-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' });
  });

  it('refuses from after to, naming the field', () => {
    expect(() =>
      parseWindow('2026-11-25T12:00:00Z', '2026-11-25T11:00:00Z', { defaultSpanMs: HOUR_MS }, NOW),
    ).toThrow(
      expect.objectContaining({
        code: 'QUERY.VALIDATION_FAILED',
        details: [expect.objectContaining({ field: 'from' })],
      }) as AppError,
    );
  });

  it('accepts exactly the widest window and refuses one millisecond more', () => {
    const rules = { defaultSpanMs: DAY_MS, maxSpanMs: 31 * DAY_MS };
    expect(parseWindow('2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', rules, NOW).from).toBe(
      '2026-10-01T00:00:00.000Z',
    );
    expect(() => parseWindow('2026-10-01T00:00:00Z', '2026-11-01T00:00:00.001Z', rules, NOW)).toThrow(
      expect.objectContaining({
        code: 'QUERY.WINDOW_TOO_WIDE',
        details: expect.objectContaining({ max_days: 31 }),
      }) as AppError,
    );
  });

  it('refuses a time the pattern allows but the calendar does not (leap second)', () => {
    expect(() => parseWindow('2026-11-25T23:59:60Z', undefined, { defaultSpanMs: HOUR_MS }, NOW)).toThrow(
      expect.objectContaining({
        code: 'QUERY.VALIDATION_FAILED',
        details: [{ field: 'from', message: 'from is not a real date-time' }],
      }) as AppError,
    );
  });
});
