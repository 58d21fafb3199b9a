import { AppError } from '../shared/errors/app-error';
import { CallerSlots, SLOT_RETRY_AFTER_S } from './caller-slots';

describe('CallerSlots', () => {
  const deferred = () => {
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    return { done, release };
  };

  it('runs up to the limit per caller at once and refuses one more with 429 and Retry-After', async () => {
    const slots = new CallerSlots(2);
    const a = deferred();
    const b = deferred();
    const first = slots.run('alice', () => a.done);
    const second = slots.run('alice', () => b.done);
    const refused = slots.run('alice', () => Promise.resolve());
    await expect(refused).rejects.toMatchObject({
      code: 'REPLAY.TOO_MANY_PLANS',
      retryAfterSeconds: SLOT_RETRY_AFTER_S,
      details: { running: 2, max: 2 },
    });
    await expect(refused).rejects.toBeInstanceOf(AppError);
    // Another caller has slots of its own.
    await expect(slots.run('bob', () => Promise.resolve('ok'))).resolves.toBe('ok');
    a.release();
    await first;
    await expect(slots.run('alice', () => Promise.resolve('again'))).resolves.toBe('again');
    b.release();
    await second;
  });

  it('gives the slot back when the work fails', async () => {
    const slots = new CallerSlots(1);
    await expect(slots.run('alice', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots.run('alice', () => Promise.resolve(1))).resolves.toBe(1);
  });
});
