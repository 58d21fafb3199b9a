import { findGaps } from './activity-gaps';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('findGaps', () => {
  it('finds a silent hour inside a busy day', () => {
    const active = new Map([['2026-11-25', [...range(0, 600), ...range(660, 1440)]]]);
    const report = findGaps(active, { from: '2026-11-25T09:00:00.000Z', to: '2026-11-25T12:00:00.000Z' }, 10);
    expect(report).toEqual({
      gaps: [
        { from: '2026-11-25T10:00:00.000Z', to: '2026-11-25T11:00:00.000Z', minutes: 60, open_end: false },
      ],
      examined_minutes: 180,
      active_minutes: 120,
    });
  });

  it('ignores silences shorter than the minimum and keeps those exactly as long', () => {
    // Active every minute except 5 silent minutes at 01:00 and 10 at 02:00.
    const silent = new Set([...range(60, 65), ...range(120, 130)]);
    const active = new Map([['2026-11-25', range(0, 1440).filter((m) => !silent.has(m))]]);
    const { gaps } = findGaps(
      active,
      { from: '2026-11-25T00:00:00.000Z', to: '2026-11-25T03:00:00.000Z' },
      10,
    );
    expect(gaps.map((g) => [g.from, g.minutes])).toEqual([['2026-11-25T02:00:00.000Z', 10]]);
  });

  it('crosses midnight and marks a silence reaching the window end as open', () => {
    const active = new Map([
      ['2026-11-24', range(0, 1430)],
      ['2026-11-25', range(20, 30)],
    ]);
    const { gaps } = findGaps(
      active,
      { from: '2026-11-24T23:00:00.000Z', to: '2026-11-25T01:00:00.000Z' },
      10,
    );
    expect(gaps).toEqual([
      { from: '2026-11-24T23:50:00.000Z', to: '2026-11-25T00:20:00.000Z', minutes: 30, open_end: false },
      { from: '2026-11-25T00:30:00.000Z', to: '2026-11-25T01:00:00.000Z', minutes: 30, open_end: true },
    ]);
  });

  it('reports the whole window for a source never seen, and nothing for an empty window', () => {
    const w = { from: '2026-11-25T10:00:30.000Z', to: '2026-11-25T10:20:10.000Z' };
    expect(findGaps(new Map(), w, 10)).toEqual({
      gaps: [
        { from: '2026-11-25T10:00:00.000Z', to: '2026-11-25T10:21:00.000Z', minutes: 21, open_end: true },
      ],
      examined_minutes: 21,
      active_minutes: 0,
    });
    const at = '2026-11-25T10:00:00.000Z';
    expect(findGaps(new Map(), { from: at, to: at }, 1)).toEqual({
      gaps: [],
      examined_minutes: 0,
      active_minutes: 0,
    });
  });
});
