// The alert store against DynamoDB Local: one open alert per (rule, source) however many evaluators
// try, resolve with its state, notification claims and delivery bookkeeping, the stored rule set.
import { DynamoAlertStore } from '../../src/alerts/dynamo-alert-store';
import { emptyState } from '../../src/alerts/alert-evaluation';
import { Alert } from '../../src/alerts/alert-store';
import { openStores, Stores } from '../support/stores';

const alert = (id: string, source = 'orders-svc'): Alert => ({
  alert_id: id,
  rule: 'silence',
  kind: 'silence',
  source,
  status: 'firing',
  fired_at: '2026-11-25T03:00:00.000Z',
  threshold: 30,
  value: 31,
  values: { silent_minutes: 31 },
  link: 'http://ps/gaps?source=orders-svc',
  notify_attempts: 0,
});
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('DynamoAlertStore', () => {
  let stores: Stores;
  let store: DynamoAlertStore;
  beforeAll(async () => {
    stores = await openStores('alert-store');
    store = new DynamoAlertStore(stores.table, 30);
  });
  afterAll(() => stores.close());

  it('opens one alert per (rule, source): a second evaluator racing for it loses', async () => {
    const state = emptyState('silence', 'orders-svc');
    const results = await Promise.all([store.open(alert(uuid(1)), state), store.open(alert(uuid(2)), state)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? uuid(1) : uuid(2);
    expect((await store.openAlerts()).map((a) => a.alert_id)).toEqual([winner]);
    expect(await store.states()).toEqual([{ ...state, open_alert_id: winner }]);
    // A state write that does not know about the open alert cannot clear it.
    await store.saveState({ ...state, breach_streak: 1 });
    expect((await store.states())[0].open_alert_id).toBe(winner);
  });

  it('resolves the open alert with its state, once', async () => {
    const [state] = await store.states();
    const id = state.open_alert_id!;
    const resolved = await store.resolve(state, '2026-11-25T04:00:00.000Z', 0.1, { silent_minutes: 0.1 });
    expect(resolved).toMatchObject({
      alert_id: id,
      status: 'resolved',
      resolved_at: '2026-11-25T04:00:00.000Z',
      resolved_value: 0.1,
      resolved_values: { silent_minutes: 0.1 },
    });
    expect(await store.resolve(state, '2026-11-25T04:00:01.000Z', 0, {})).toBeUndefined();
    expect(await store.openAlerts()).toEqual([]);
    expect((await store.states())[0].open_alert_id).toBeUndefined();
    // The racer that lost wrote nothing: its alert and state went in one transaction.
    expect((await store.recent(10)).items.map((a) => [a.alert_id, a.status])).toEqual([[id, 'resolved']]);
  });

  it('hands a pending notification to one claimant at a time and forgets it once delivered', async () => {
    const state = emptyState('silence', 'billing-svc');
    const id = uuid(3);
    expect(await store.open(alert(id, 'billing-svc'), state)).toBe(true);
    expect((await store.pendingNotifications()).map((a) => a.alert_id)).toContain(id);
    const t = Date.now();
    expect(await store.claimNotification(id, 'a', t, t + 10_000)).toMatchObject({ alert_id: id });
    expect(await store.claimNotification(id, 'b', t + 1, t + 10_000)).toBeUndefined();
    await store.notifyFailed(id, 'a', 'webhook answered 500', false);
    expect(await store.get(id)).toMatchObject({ notify_attempts: 1, notify_error: 'webhook answered 500' });
    // The failed claim was given back: the next run may try again.
    expect(await store.claimNotification(id, 'b', t + 2, t + 10_000)).toBeDefined();
    await store.notified(id, 'b', 'firing', '2026-11-25T03:00:01.000Z');
    const done = await store.get(id);
    expect(done).toMatchObject({ notified_firing_at: '2026-11-25T03:00:01.000Z', notify_attempts: 0 });
    expect(done?.notify_error).toBeUndefined();
    expect((await store.pendingNotifications()).map((a) => a.alert_id)).not.toContain(id);
    expect(await store.claimNotification(id, 'c', t + 3, t + 10_000)).toBeUndefined();
  });

  it('keeps the resolved notification pending when the alert resolved while its firing one was out', async () => {
    const state = emptyState('silence', 'ledger-svc');
    const id = uuid(4);
    await store.open(alert(id, 'ledger-svc'), state);
    const t = Date.now();
    expect(await store.claimNotification(id, 'a', t, t + 10_000)).toBeDefined();
    await store.resolve({ ...state, open_alert_id: id }, '2026-11-25T05:00:00.000Z', 0, {});
    await store.notified(id, 'a', 'firing', '2026-11-25T05:00:01.000Z');
    expect(await store.claimNotification(id, 'b', t + 1, t + 10_000)).toMatchObject({ status: 'resolved' });
    await store.notifyFailed(id, 'b', 'gave up', true);
    expect((await store.pendingNotifications()).map((a) => a.alert_id)).not.toContain(id);
  });

  it('stores the rule set as given', async () => {
    expect(await store.getRules()).toBeUndefined();
    const rules = {
      rules: [{ name: 'quiet', kind: 'silence' as const, minutes: 5 }],
      updated_at: '2026-11-25T06:00:00.000Z',
      updated_by: 'operator:ab12',
    };
    await store.putRules(rules);
    expect(await store.getRules()).toEqual(rules);
  });
});
