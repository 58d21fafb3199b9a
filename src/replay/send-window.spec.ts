import fc from 'fast-check';
import { checkpointDue, SendWindow, windowOpen } from './send-window';

describe('SendWindow', () => {
  it('acknowledges only the contiguous prefix of finished batches, with their counts', () => {
    const w = new SendWindow({ next: 100, sent: 90, failed: 10 });
    const a = w.start(10);
    const b = w.start(10);
    const c = w.start(5);
    expect([a, b, c, w.next]).toEqual([100, 110, 120, 125]);
    w.finish(b, 10, 9, 1);
    expect(w.acknowledged).toEqual({ next: 100, sent: 90, failed: 10, batches: 0 });
    w.finish(a, 10, 10, 0);
    expect(w.acknowledged).toEqual({ next: 120, sent: 109, failed: 11, batches: 2 });
    w.finish(c, 5, 5, 0);
    expect(w.acknowledged).toEqual({ next: 125, sent: 114, failed: 11, batches: 3 });
  });

  it('whatever order batches finish in, the prefix never passes an unfinished batch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 30 }),
        fc.func(fc.integer()),
        (sizes, order) => {
          const w = new SendWindow({ next: 0, sent: 0, failed: 0 });
          const batches = sizes.map((n) => ({ first: w.start(n), n }));
          const shuffled = [...batches].sort((x, y) => order(x.first) - order(y.first));
          const done = new Set<number>();
          for (const { first, n } of shuffled) {
            w.finish(first, n, n, 0);
            done.add(first);
            const { next, sent } = w.acknowledged;
            // Every batch before `next` finished, and the one at `next` (if any) did not.
            for (const bt of batches) if (bt.first < next) expect(done.has(bt.first)).toBe(true);
            const at = batches.find((bt) => bt.first === next);
            if (at) expect(done.has(at.first)).toBe(false);
            expect(sent).toBe(next);
          }
          expect(w.acknowledged.next).toBe(sizes.reduce((s, n) => s + n, 0));
        },
      ),
    );
  });
});

describe('checkpoints', () => {
  const policy = { interval: 10, everyMs: 1000 };
  const at = (next: number, batches: number) => ({ next, sent: next, failed: 0, batches });

  it('are due after half an interval of batches, or after everyMs with anything new', () => {
    expect(checkpointDue(at(40, 4), at(0, 0), 10, policy)).toBe(false);
    expect(checkpointDue(at(50, 5), at(0, 0), 10, policy)).toBe(true);
    expect(checkpointDue(at(10, 1), at(0, 0), 1000, policy)).toBe(true);
    expect(checkpointDue(at(10, 1), at(10, 1), 5000, policy)).toBe(false);
  });

  it('stop new batches once an interval is sent past the stored checkpoint', () => {
    const w = new SendWindow({ next: 0, sent: 0, failed: 0 });
    for (let i = 0; i < 9; i++) w.start(10);
    expect(windowOpen(w, at(0, 0), policy)).toBe(true);
    w.start(10);
    expect(windowOpen(w, at(0, 0), policy)).toBe(false);
    expect(windowOpen(w, at(50, 5), policy)).toBe(true);
  });
});
