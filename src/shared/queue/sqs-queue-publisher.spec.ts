import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SqsQueuePublisher } from './sqs-queue-publisher';

describe('SqsQueuePublisher.sendBatch', () => {
  it('sends every attribute as a String, one named __proto__ included', async () => {
    const sent: SendMessageBatchCommand[] = [];
    const client = {
      send: (command: unknown) => {
        if (command instanceof SendMessageBatchCommand) {
          sent.push(command);
          return Promise.resolve({ Successful: [{ Id: 'm0', MessageId: 'x' }] });
        }
        return Promise.resolve({ QueueUrl: 'http://queue' });
      },
    } as unknown as SQSClient;
    const attributes = Object.fromEntries([
      ['__proto__', 'p'],
      ['event_id', 'e1'],
    ]) as Record<string, string>;
    await new SqsQueuePublisher(client, 'q').sendBatch('q', [{ id: 'm0', body: 'b', attributes }]);
    const entry = sent[0].input.Entries![0];
    expect(Object.keys(entry.MessageAttributes!)).toEqual(['__proto__', 'event_id']);
    expect(Object.getOwnPropertyDescriptor(entry.MessageAttributes, '__proto__')?.value).toEqual({
      DataType: 'String',
      StringValue: 'p',
    });
  });

  it('answers the message id of an entry whose id is __proto__ (a valid SQS entry id)', async () => {
    const client = {
      send: (command: unknown) =>
        Promise.resolve(
          command instanceof SendMessageBatchCommand
            ? { Successful: [{ Id: '__proto__', MessageId: 'x' }] }
            : { QueueUrl: 'http://queue' },
        ),
    } as unknown as SQSClient;
    const out = await new SqsQueuePublisher(client, 'q').sendBatch('q', [{ id: '__proto__', body: 'b' }]);
    expect(out.sent).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(out.messageIds, '__proto__')?.value).toBe('x');
  });
});
