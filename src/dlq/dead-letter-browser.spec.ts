import { BatchSendResult, OutgoingMessage, ReceivedMessage } from '../shared/queue/queue-publisher';
import { QueuePublisher } from '../shared/queue/queue-publisher';
import { DeadLetterBrowser, HOLD_SECONDS } from './dead-letter-browser';

const msg = (id: string, handle = `rh-${id}`): ReceivedMessage => ({
  messageId: id,
  receiptHandle: handle,
  body: `body-${id}`,
  attributes: { replay_id: 'r1' },
  receiveCount: 3,
  sentAt: 0,
});

/** A queue that answers receives from a script and records every call in order. */
class ScriptedQueue {
  readonly calls: string[] = [];
  readonly sent: OutgoingMessage[] = [];
  constructor(
    private readonly receives: (ReceivedMessage[] | Error)[],
    private readonly refuse = new Set<string>(),
  ) {}
  receive(_q: string, max: number, _wait: number, opts: { visibilityTimeoutSeconds?: number }) {
    this.calls.push(`receive ${max} hold=${opts.visibilityTimeoutSeconds}`);
    const next = this.receives.shift() ?? [];
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
  changeVisibility(_q: string, handles: string[], seconds: number) {
    this.calls.push(`visibility ${seconds} ${handles.join(',')}`);
    return Promise.resolve([]);
  }
  deleteBatch(_q: string, handles: string[]) {
    this.calls.push(`delete ${handles.join(',')}`);
    return Promise.resolve(handles.filter((h) => h.includes('stuck')));
  }
  sendBatch(q: string, messages: OutgoingMessage[]): Promise<BatchSendResult> {
    this.calls.push(`send ${q} ${messages.map((m) => m.body).join(',')}`);
    this.sent.push(...messages);
    const ok = messages.filter((m) => !this.refuse.has(m.body));
    return Promise.resolve({
      sent: ok.map((m) => m.id),
      messageIds: Object.fromEntries(ok.map((m) => [m.id, `new-${m.body}`])),
      failed: messages
        .filter((m) => this.refuse.has(m.body))
        .map((m) => ({ id: m.id, code: 'X', retryable: false })),
    });
  }
}

const browserOver = (q: ScriptedQueue) => new DeadLetterBrowser(q as unknown as QueuePublisher, 'main-dlq');

describe('DeadLetterBrowser', () => {
  it('holds distinct messages until the queue answers nothing new, keeping the newest receipt handle', async () => {
    const q = new ScriptedQueue([[msg('a'), msg('b')], [msg('a', 'rh-a2')], []]);
    const held = await browserOver(q).hold(50);
    expect(held.map((m) => `${m.messageId}:${m.receiptHandle}`)).toEqual(['a:rh-a2', 'b:rh-b']);
    expect(q.calls).toEqual([`receive 10 hold=${HOLD_SECONDS}`, `receive 10 hold=${HOLD_SECONDS}`]);
  });

  it('stops at max, and as soon as every wanted id is held', async () => {
    const q = new ScriptedQueue([[msg('a'), msg('b')], [msg('c')], [msg('d')]]);
    expect((await browserOver(q).hold(2)).map((m) => m.messageId)).toEqual(['a', 'b']);
    const q2 = new ScriptedQueue([[msg('a')], [msg('c')], [msg('d')]]);
    const held = await browserOver(q2).hold(50, new Set(['c']));
    expect(held.map((m) => m.messageId)).toEqual(['a', 'c']);
  });

  it('releases what it held when a receive fails', async () => {
    const q = new ScriptedQueue([[msg('a')], new Error('sqs down')]);
    await expect(browserOver(q).hold(50)).rejects.toThrow('sqs down');
    expect(q.calls).toContain('visibility 0 rh-a');
  });

  it('moves by sending first and deleting only what SQS accepted; refused ones are released', async () => {
    const q = new ScriptedQueue([], new Set(['body-b']));
    const out = await browserOver(q).move([msg('a'), msg('b'), msg('c', 'rh-stuck')], 'main');
    expect(q.calls).toEqual(['send main body-a,body-b,body-c', 'delete rh-a,rh-stuck', 'visibility 0 rh-b']);
    expect(out.map((o) => [o.message.messageId, o.status, o.newMessageId])).toEqual([
      ['a', 'moved', 'new-body-a'],
      ['b', 'send_failed', undefined],
      ['c', 'not_deleted', 'new-body-c'],
    ]);
    expect(q.sent[0].attributes).toEqual({ replay_id: 'r1', redriven_from: 'a' });
  });
});
