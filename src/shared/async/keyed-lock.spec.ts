import { KeyedLock } from './keyed-lock';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedLock', () => {
  it('lets one holder of a key in at a time, in arrival order, and other keys through', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const first = await lock.acquire(['a', 'b']);
    const second = lock.acquire(['b']).then((release) => {
      order.push('second');
      return release;
    });
    const third = lock.acquire(['b']).then((release) => {
      order.push('third');
      return release;
    });
    const other = await lock.acquire(['c']);
    order.push('other');
    await tick();
    expect(order).toEqual(['other']);
    first();
    (await second)();
    (await third)();
    other();
    expect(order).toEqual(['other', 'second', 'third']);
    expect(lock.size).toBe(0);
  });
});
