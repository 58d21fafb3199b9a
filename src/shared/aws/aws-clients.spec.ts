import { bounded, StorageCallOutcome } from './aws-clients';

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

class GetThingCommand {}

/** A client whose `send` hands back the signal it was given and waits for `answer` (or the signal). */
function fakeClient(answer: (signal: AbortSignal) => Promise<unknown>) {
  const seen: AbortSignal[] = [];
  const client = {
    send: (_command: unknown, options?: { abortSignal?: AbortSignal }) => {
      seen.push(options!.abortSignal!);
      return answer(options!.abortSignal!);
    },
  };
  return { client, seen };
}

const untilAborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, fail) => signal.addEventListener('abort', () => fail(signal.reason as Error)));

describe('bounded (a storage call and its deadline)', () => {
  let outcomes: [string, string, StorageCallOutcome][];
  const observe = (d: string, op: string, outcome: StorageCallOutcome) => outcomes.push([d, op, outcome]);
  beforeEach(() => (outcomes = []));

  it('leaves the signal of a call that answered alone: its deadline never fires afterwards', async () => {
    const { client, seen } = fakeClient(async () => 'out');
    const c = bounded(client, 'sqs', 50, observe);
    await expect(c.send(new GetThingCommand())).resolves.toBe('out');
    await sleep(120);
    expect(seen[0].aborted).toBe(false);
    expect(outcomes).toEqual([['sqs', 'GetThing', 'ok']]);
  });

  it('aborts a call that passes its deadline with a TimeoutError, reported as timeout', async () => {
    const { client } = fakeClient(untilAborted);
    const c = bounded(client, 'dynamodb', 50, observe);
    const started = Date.now();
    await expect(c.send(new GetThingCommand())).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(outcomes).toEqual([['dynamodb', 'GetThing', 'timeout']]);
  });

  it("ends a call when the caller's own signal aborts, reported as cancelled", async () => {
    const { client } = fakeClient(untilAborted);
    const c = bounded(client, 's3', 5000, observe);
    const own = new AbortController();
    const call = c.send(new GetThingCommand(), { abortSignal: own.signal });
    own.abort();
    await expect(call).rejects.toBeDefined();
    expect(outcomes).toEqual([['s3', 'GetThing', 'cancelled']]);
  });
});
