import { fromLocalInput, hourBuckets, parseWindow, resolveWindow, windowProblem } from './time-window';

describe('time windows', () => {
  it('reads a preset or a custom range from the URL, defaulting to the last 24 hours', () => {
    expect(parseWindow(new URLSearchParams('w=7d'))).toEqual({ preset: '7d' });
    expect(parseWindow(new URLSearchParams('w=2y'))).toEqual({ preset: '24h' });
    expect(parseWindow(new URLSearchParams('from=2026-11-25T00:00:00Z&to=2026-11-25T06:00:00Z'))).toEqual({
      from: '2026-11-25T00:00:00Z',
      to: '2026-11-25T06:00:00Z',
    });
    expect(parseWindow(new URLSearchParams('from=yesterday&to=now'))).toEqual({ preset: '24h' });
  });

  it('resolves a preset against now', () => {
    const now = Date.parse('2026-11-25T12:00:00.000Z');
    expect(resolveWindow({ preset: '1h' }, now)).toEqual({
      from: '2026-11-25T11:00:00.000Z',
      to: '2026-11-25T12:00:00.000Z',
    });
  });

  it('reads datetime-local values as UTC and refuses windows the API would refuse', () => {
    expect(fromLocalInput('2026-11-25T02:30')).toBe('2026-11-25T02:30:00.000Z');
    expect(fromLocalInput('')).toBe('');
    expect(windowProblem('2026-11-25T02:00:00Z', '2026-11-25T01:00:00Z')).toBe('"From" must be before "to".');
    expect(windowProblem('2026-10-01T00:00:00Z', '2026-11-25T00:00:00Z')).toBe(
      'A window can span at most 31 days.',
    );
    expect(windowProblem('2026-11-24T00:00:00Z', '2026-11-25T00:00:00Z')).toBeUndefined();
  });

  it('covers the window with whole UTC hours, widening the step past the point budget', () => {
    const hours = hourBuckets({ from: '2026-11-25T10:15:00.000Z', to: '2026-11-25T12:05:00.000Z' });
    expect(hours.map((b) => new Date(b.start).toISOString())).toEqual([
      '2026-11-25T10:00:00.000Z',
      '2026-11-25T11:00:00.000Z',
      '2026-11-25T12:00:00.000Z',
    ]);
    expect(new Date(hours[0].end).toISOString()).toBe('2026-11-25T10:59:59.999Z');
    const week = hourBuckets({ from: '2026-11-18T00:00:00.000Z', to: '2026-11-25T00:00:00.000Z' }, 85);
    expect(week).toHaveLength(85);
    expect(week[1].start - week[0].start).toBe(2 * 3_600_000);
    expect(new Date(week[week.length - 1].end).toISOString()).toBe('2026-11-25T00:59:59.999Z');
  });
});
