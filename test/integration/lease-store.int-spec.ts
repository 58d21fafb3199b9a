// Named leases against DynamoDB Local: one holder at a time, renewal, takeover after expiry, release.
import { DynamoLeaseStore } from '../../src/shared/lease/dynamo-lease-store';
import { openStores, Stores } from '../support/stores';

describe('DynamoLeaseStore', () => {
  let stores: Stores;
  let leases: DynamoLeaseStore;
  beforeAll(async () => {
    stores = await openStores('lease');
    leases = new DynamoLeaseStore(stores.table);
  });
  afterAll(() => stores.close());

  it('lets one owner hold a lease until it runs out, then another takes it over', async () => {
    const t = 1_000_000;
    expect(await leases.acquire('alerts', 'a', t, t + 100)).toBe(true);
    expect(await leases.acquire('alerts', 'b', t + 50, t + 150)).toBe(false);
    expect(await leases.acquire('alerts', 'a', t + 60, t + 160)).toBe(true);
    expect(await leases.acquire('alerts', 'b', t + 150, t + 250)).toBe(false);
    expect(await leases.acquire('alerts', 'b', t + 161, t + 261)).toBe(true);
    expect(await leases.acquire('alerts', 'a', t + 170, t + 270)).toBe(false);
    expect(await leases.acquire('other', 'a', t + 170, t + 270)).toBe(true);
  });

  it('is free at once after its holder gives it back; a release by another owner does nothing', async () => {
    const t = 2_000_000;
    expect(await leases.acquire('job', 'a', t, t + 1000)).toBe(true);
    await leases.release('job', 'b');
    expect(await leases.acquire('job', 'b', t + 1, t + 1000)).toBe(false);
    await leases.release('job', 'a');
    expect(await leases.acquire('job', 'b', t + 2, t + 1000)).toBe(true);
  });
});
