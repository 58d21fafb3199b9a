// Failure records against DynamoDB Local: the first cause is kept, the last replaced, attempts counted.
import { DynamoMessageFailureStore } from '../../src/shared/message-failures/dynamo-message-failure-store';
import { FailureCause } from '../../src/shared/message-failures/message-failure-store';
import { openStores, Stores } from '../support/stores';

const cause = (reason: string, at: string): FailureCause => ({
  kind: reason === 'raw_missing' ? 'integrity_error' : 'storage_error',
  code: reason === 'raw_missing' ? 'PROCESSOR.INTEGRITY_ERROR' : 'STORAGE.UNAVAILABLE',
  reason,
  message: `because ${reason}`,
  at,
});

describe('DynamoMessageFailureStore', () => {
  let stores: Stores;
  let failures: DynamoMessageFailureStore;
  beforeAll(async () => {
    stores = await openStores('msg-failures');
    failures = new DynamoMessageFailureStore(stores.table);
  });
  afterAll(() => stores.close());

  it('keeps the first cause and the latest, with the attempt count and receive count', async () => {
    const id = 'a1b2c3d4-0000-4000-8000-000000000001';
    const event_id = 'c'.repeat(32);
    await failures.record({
      message_id: id,
      replay_id: 'r-1',
      event_id,
      receive_count: 1,
      cause: cause('s3_unavailable', '2026-11-25T02:00:00.000Z'),
    });
    await failures.record({
      message_id: id,
      receive_count: 2,
      cause: cause('raw_missing', '2026-11-25T02:00:31.000Z'),
    });
    const got = await failures.get([id, id, 'no-such-message']);
    expect([...got.keys()]).toEqual([id]);
    expect(got.get(id)).toEqual({
      message_id: id,
      replay_id: 'r-1',
      event_id,
      first: cause('s3_unavailable', '2026-11-25T02:00:00.000Z'),
      last: cause('raw_missing', '2026-11-25T02:00:31.000Z'),
      failures: 2,
      receive_count: 2,
    });
    expect((await failures.get([])).size).toBe(0);
  });

  it('cuts long messages short', async () => {
    const id = 'a1b2c3d4-0000-4000-8000-000000000002';
    const long = { ...cause('raw_missing', '2026-11-25T03:00:00.000Z'), message: 'x'.repeat(5000) };
    await failures.record({ message_id: id, receive_count: 1, cause: long });
    expect((await failures.get([id])).get(id)?.first.message).toHaveLength(1000);
  });
});
