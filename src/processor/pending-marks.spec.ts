import { PendingMarks } from './pending-marks';

describe('PendingMarks', () => {
  it('keeps what is not counted yet, each replay with its layout, and empties as events are dropped', () => {
    const pending = new PendingMarks([
      { replayId: 'r1', eventIds: ['a', 'b', 'a'], shards: 64 },
      { replayId: 'r2', eventIds: ['a'] },
    ]);
    expect(pending.marks()).toEqual([
      { replayId: 'r1', eventIds: ['a', 'b'], shards: 64 },
      { replayId: 'r2', eventIds: ['a'] },
    ]);
    pending.drop('r1', ['a', 'zz']);
    pending.drop('r3', ['a']);
    expect(pending.marks()).toEqual([
      { replayId: 'r1', eventIds: ['b'], shards: 64 },
      { replayId: 'r2', eventIds: ['a'] },
    ]);
    pending.forget('r2');
    expect(pending.empty).toBe(false);
    pending.drop('r1', ['b']);
    expect(pending.marks()).toEqual([]);
    expect(pending.empty).toBe(true);
  });
});
