import { median, shareOfMediansAtLeast } from './bench-support';

/** Every set of three of `runs`, by brute force: the reference the closed form must equal. */
function shareByEnumeration(runs: number[], goal: number): number {
  let meeting = 0;
  let sets = 0;
  for (let a = 0; a < runs.length; a++)
    for (let b = a + 1; b < runs.length; b++)
      for (let c = b + 1; c < runs.length; c++) {
        sets += 1;
        if (median([runs[a], runs[b], runs[c]]) >= goal) meeting += 1;
      }
  return meeting / sets;
}

describe('shareOfMediansAtLeast', () => {
  it('counts the sets of three whose median meets the goal, a run equal to the goal meeting it', () => {
    // {1,2,3} 2, {1,2,4} 2, {1,3,4} 3, {2,3,4} 3: two of four.
    expect(shareOfMediansAtLeast([1, 2, 3, 4], 3, 3)).toBe(0.5);
    expect(shareOfMediansAtLeast([0.95, 0.95, 0.95], 3, 0.9)).toBe(1);
    expect(shareOfMediansAtLeast([0.8, 0.85, 0.89, 0.95], 3, 0.9)).toBe(0);
    expect(shareOfMediansAtLeast([0.9, 0.9, 0.5], 3, 0.9)).toBe(1);
  });

  it('equals counting every set of three one by one, for runs like the bench prints', () => {
    const runs = [0.91, 0.79, 0.99, 1.33, 1.11, 0.85, 0.86, 0.99, 0.88, 0.93, 0.86, 0.9, 0.98, 0.85, 0.91];
    for (const goal of [0.85, 0.9, 0.95, 1]) {
      expect(shareOfMediansAtLeast(runs, 3, goal)).toBeCloseTo(shareByEnumeration(runs, goal), 12);
    }
  });

  it('takes one run as a set of one, and refuses an even set, whose median is not one of its runs', () => {
    expect(shareOfMediansAtLeast([0.8, 0.95], 1, 0.9)).toBe(0.5);
    expect(() => shareOfMediansAtLeast([1, 2, 3, 4], 2, 2)).toThrow('odd');
    expect(shareOfMediansAtLeast([1, 2], 3, 1)).toBeNaN();
  });
});
