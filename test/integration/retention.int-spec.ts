// Retention against the emulators: the TTL attribute each store writes, and the lifecycle rules the
// provisioner puts on the bucket (fauxqs stores them; it does not expire objects).
import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
} from '@aws-sdk/client-s3';
import { keys, replayProgressKeys } from '../../src/shared/aws/table-keys';
import { ResourceProvisioner } from '../../src/shared/aws/provisioner';
import { DynamoAggregateStore } from '../../src/processor/dynamo-aggregate-store';
import { Retention } from '../../src/shared/retention/retention';
import { eventRecord } from '../support/factories';
import { openStores, Stores } from '../support/stores';

const DAY_S = 86_400;
const epoch = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

describe('retention against the emulators', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await openStores('retention', {
      RETENTION_EVENTS_DAYS: '400',
      RETENTION_RAW_DAYS: '400',
      RETENTION_ATTEMPTS_DAYS: '30',
      RETENTION_REJECTED_DAYS: '20',
      RETENTION_DONE_MARKERS_DAYS: '16',
      RETENTION_REPLAY_MANIFESTS_DAYS: '7',
      RETENTION_LINEAGE_DAYS: '0',
    });
  });
  afterAll(() => stores.close());

  it('stamps event, attempt, rejected and DONE items with expires_at from their own time', async () => {
    const event = eventRecord({ received_at: '2026-03-01T10:00:00.000Z' });
    await stores.index.claim(event);
    await stores.index.recordRepeat({
      attempt_id: 'att-retention-1',
      event_id: event.event_id,
      source: event.source,
      kind: 'duplicate',
      received_at: '2026-03-02T10:00:00.000Z',
      payload_sha256: event.payload_sha256,
      request_id: 'repeat-1',
    });
    await stores.rejected.put({
      rejection_id: 'rej-retention',
      received_at: '2026-03-03T10:00:00.000Z',
      request_id: 'r1',
      reason: 'validation',
      errors: [{ field: 'source', message: 'source is required' }],
      s3_key: 'rejected/x.json',
      size_bytes: 2,
    });
    const before = Math.floor(Date.now() / 1000);
    const aggregates = new DynamoAggregateStore(stores.table, Retention.fromEnv(stores.env));
    await stores.table.put({ ...keys.replayJob('retention-job'), processed: 0 });
    await aggregates.commit([], [{ replayId: 'retention-job', eventIds: [event.event_id] }]);

    const item = await stores.table.get(keys.event(event.event_id));
    expect(item?.expires_at).toBe(epoch('2026-03-01T10:00:00.000Z') + 400 * DAY_S);
    const attempt = await stores.table.get(
      keys.attempt(event.event_id, '2026-03-02T10:00:00.000Z', 'att-retention-1'),
    );
    expect(attempt?.expires_at).toBe(epoch('2026-03-02T10:00:00.000Z') + 30 * DAY_S);
    const rejected = await stores.table.get(keys.rejected('rej-retention'));
    expect(rejected?.expires_at).toBe(epoch('2026-03-03T10:00:00.000Z') + 20 * DAY_S);
    const done = await stores.table.get(replayProgressKeys.done('retention-job', event.event_id));
    expect(Number(done?.expires_at)).toBeGreaterThanOrEqual(before + 16 * DAY_S);
    expect(Number(done?.expires_at)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 16 * DAY_S);
  });

  it('puts one lifecycle rule per prefix with a retention, keeping rules it does not own', async () => {
    const Bucket = stores.env.PIPESCOPE_BUCKET;
    const read = async () =>
      (
        (await stores.clients.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules ?? []
      ).map((r) => ({ ID: r.ID, Prefix: r.Filter?.Prefix, Days: r.Expiration?.Days }));
    const teamRule = {
      ID: 'team-tmp',
      Status: 'Enabled' as const,
      Filter: { Prefix: 'tmp/' },
      Expiration: { Days: 3 },
    };
    await stores.clients.s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket,
        LifecycleConfiguration: {
          Rules: [teamRule, { ...teamRule, ID: 'pipescope-lineage', Filter: { Prefix: 'lineage/' } }],
        },
      }),
    );
    const report = await new ResourceProvisioner(stores.env, stores.clients).provision();
    const ours = [
      { ID: 'pipescope-raw', Prefix: 'raw/', Days: 400 },
      { ID: 'pipescope-rejected', Prefix: 'rejected/', Days: 20 },
      { ID: 'pipescope-replay-manifests', Prefix: 'replays/', Days: 7 },
    ];
    expect(report.lifecycle.rules).toEqual(ours.map((r) => r.ID));
    // Lineage is kept forever here, so the stale pipescope-lineage rule is gone; the team's rule stays.
    expect(await read()).toEqual([{ ID: 'team-tmp', Prefix: 'tmp/', Days: 3 }, ...ours]);
    expect(report.warnings).not.toContainEqual(expect.stringMatching(/lifecycle/));
  });
});
