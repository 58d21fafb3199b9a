import { ReadBudget } from './read-budget';

describe('ReadBudget', () => {
  const limits = { maxRoundTrips: 3, maxItems: 100, maxMs: 1000 };

  it('is spent after the most round trips', () => {
    const budget = new ReadBudget(limits, () => 0);
    for (let i = 0; i < 3; i++) {
      expect(budget.spent()).toBe(false);
      budget.charge(1);
    }
    expect(budget.spent()).toBe(true);
  });

  it('is spent once the store has examined the most items, and never asks for more than remain', () => {
    const budget = new ReadBudget(limits, () => 0);
    expect(budget.limit(1000)).toBe(100);
    budget.charge(70);
    expect(budget.limit(1000)).toBe(30);
    expect(budget.limit(10)).toBe(10);
    expect(budget.spent()).toBe(false);
    budget.charge(30);
    expect(budget.spent()).toBe(true);
  });

  it('is spent when its time is up', () => {
    let now = 5_000;
    const budget = new ReadBudget(limits, () => now);
    now += 999;
    expect(budget.spent()).toBe(false);
    now += 1;
    expect(budget.spent()).toBe(true);
  });
});
