import { Poller } from './poller';

const tick = () => new Promise((r) => setImmediate(r));

describe('Poller', () => {
  it('runs one more look after a look that was woken during it, never two at once', async () => {
    let active = 0;
    let most = 0;
    let looks = 0;
    let release!: () => void;
    const poller = new Poller(
      60_000,
      async () => {
        looks += 1;
        active += 1;
        most = Math.max(most, active);
        await new Promise<void>((r) => (release = r));
        active -= 1;
      },
      () => undefined,
    );
    poller.wake();
    poller.wake();
    poller.wake();
    expect(looks).toBe(1);
    release();
    await tick();
    await tick();
    expect(looks).toBe(2);
    release();
    await poller.stop();
    expect(looks).toBe(2);
    expect(most).toBe(1);
  });

  it('reports a failed look and keeps looking; looks no more once stopped', async () => {
    const failures: unknown[] = [];
    let looks = 0;
    const poller = new Poller(
      60_000,
      () => {
        looks += 1;
        return Promise.reject(new Error('table down'));
      },
      (err) => failures.push(err),
    );
    poller.wake();
    await tick();
    poller.wake();
    await tick();
    expect(failures).toHaveLength(2);
    await poller.stop();
    poller.wake();
    await tick();
    expect(looks).toBe(2);
    expect(poller.isStopped).toBe(true);
  });
});
