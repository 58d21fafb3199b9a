import { Logger } from '@nestjs/common';
import { validateEnv } from '../shared/config/env.config';
import { MetricsService } from '../shared/metrics/metrics.service';
import type { Page } from '../shared/paging/page';
import { RuleState, SourceObservation } from './alert-evaluation';
import { AlertInputs } from './alert-inputs';
import { AlertNotification, AlertNotifier } from './alert-notifier';
import { Rule, withDefaults } from './alert-rules';
import { Alert, AlertStatus, AlertStore, AlertValues, StoredRules } from './alert-store';
import { AlertsEvaluator, NOTIFY_MAX_ATTEMPTS } from './alerts.evaluator';
import { AlertsMetrics } from './alerts.metrics';
import { AlertsService } from './alerts.service';

/** The store's contract in memory: enough to drive the evaluator through fire, retry and resolve. */
class MemoryAlertStore extends AlertStore {
  readonly alerts = new Map<string, Alert & { pending: boolean }>();
  readonly stateMap = new Map<string, RuleState>();
  getRules = (): Promise<StoredRules | undefined> => Promise.resolve(undefined);
  putRules = (): Promise<void> => Promise.resolve();
  states = (): Promise<RuleState[]> => Promise.resolve([...this.stateMap.values()].map((s) => ({ ...s })));
  saveState(state: RuleState): Promise<void> {
    this.stateMap.set(`${state.rule}#${state.source}`, { ...state });
    return Promise.resolve();
  }
  open(alert: Alert, state: RuleState): Promise<boolean> {
    const key = `${state.rule}#${state.source}`;
    if (this.stateMap.get(key)?.open_alert_id) return Promise.resolve(false);
    this.alerts.set(alert.alert_id, { ...alert, pending: true });
    this.stateMap.set(key, { ...state, open_alert_id: alert.alert_id });
    return Promise.resolve(true);
  }
  resolve(state: RuleState, at: string, value: number | null, values: AlertValues) {
    const a = this.alerts.get(state.open_alert_id!)!;
    Object.assign(a, { status: 'resolved', resolved_at: at, resolved_value: value, resolved_values: values });
    Object.assign(a, { pending: true, notify_attempts: 0 });
    this.stateMap.set(`${state.rule}#${state.source}`, { ...state, open_alert_id: undefined });
    return Promise.resolve({ ...a } as Alert);
  }
  get = (id: string) => Promise.resolve(this.alerts.get(id) as Alert | undefined);
  openAlerts = () => Promise.resolve([...this.alerts.values()].filter((a) => a.status === 'firing'));
  recent = (): Promise<Page<Alert>> =>
    Promise.resolve({ items: [...this.alerts.values()], next_cursor: null });
  pendingNotifications = () => Promise.resolve([...this.alerts.values()].filter((a) => a.pending));
  claimNotification(id: string) {
    const a = this.alerts.get(id);
    return Promise.resolve(a?.pending ? { ...a } : undefined);
  }
  notified(id: string, _owner: string, status: AlertStatus) {
    const a = this.alerts.get(id)!;
    if (a.status === status) a.pending = false;
    return Promise.resolve();
  }
  notifyFailed(id: string, _owner: string, error: string, giveUp: boolean) {
    const a = this.alerts.get(id)!;
    Object.assign(a, { notify_attempts: a.notify_attempts + 1, notify_error: error, pending: !giveUp });
    return Promise.resolve();
  }
}

class ScriptedNotifier extends AlertNotifier {
  readonly sent: AlertNotification[] = [];
  failing = false;
  constructor(readonly configured = true) {
    super();
  }
  send(n: AlertNotification): Promise<void> {
    if (this.failing) return Promise.reject(new Error('webhook answered 503'));
    this.sent.push(n);
    return Promise.resolve();
  }
}

const silence = withDefaults({ name: 'quiet', kind: 'silence', minutes: 1, min_active_share: 0 });
const NOW = Date.parse('2026-11-25T12:00:00.000Z');
const observation = (lastReceivedAt: string): SourceObservation => ({
  source: 'orders-svc',
  counters: [],
  activity: new Map([['2026-11-25', [600]]]),
  lastReceivedAt,
});

function setup(options: { leader?: boolean; configured?: boolean } = {}) {
  const env = validateEnv({ ALERTS_LINK_BASE_URL: 'http://ps' });
  const store = new MemoryAlertStore();
  const notifier = new ScriptedNotifier(options.configured ?? true);
  let rules: Rule[] = [silence];
  let obs = observation('2026-11-25T11:50:00.000Z');
  const leases = { acquire: () => Promise.resolve(options.leader ?? true), release: () => Promise.resolve() };
  const inputs = { observe: () => Promise.resolve([obs]) };
  const alerts = { effectiveRules: () => Promise.resolve({ rules }) };
  const evaluator = new AlertsEvaluator(
    alerts as unknown as AlertsService,
    store,
    leases,
    inputs as unknown as AlertInputs,
    notifier,
    new AlertsMetrics(new MetricsService(env)),
    env,
  );
  return {
    store,
    notifier,
    evaluator,
    setRules: (r: Rule[]) => (rules = r),
    setLastSeen: (iso: string) => (obs = observation(iso)),
  };
}

describe('AlertsEvaluator', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('does nothing without the lease', async () => {
    const { store, notifier, evaluator } = setup({ leader: false });
    await evaluator.evaluate(NOW);
    expect(store.alerts.size).toBe(0);
    expect(notifier.sent).toEqual([]);
  });

  it('fires once, then resolves after clear_after clear runs, notifying each once', async () => {
    const { store, notifier, evaluator, setLastSeen } = setup();
    await evaluator.evaluate(NOW);
    await evaluator.evaluate(NOW + 1000);
    expect(notifier.sent.map((n) => n.status)).toEqual(['firing']);
    expect(notifier.sent[0]).toMatchObject({ source: 'orders-svc', rule: 'quiet', value: 10 });
    setLastSeen('2026-11-25T12:00:01.000Z');
    await evaluator.evaluate(NOW + 2000);
    expect(notifier.sent).toHaveLength(1);
    await evaluator.evaluate(NOW + 3000);
    expect(notifier.sent.map((n) => n.status)).toEqual(['firing', 'resolved']);
    expect([...store.alerts.values()].every((a) => !a.pending)).toBe(true);
  });

  it('retries a failed notification on later runs and gives up after NOTIFY_MAX_ATTEMPTS', async () => {
    const { store, notifier, evaluator } = setup();
    notifier.failing = true;
    await evaluator.evaluate(NOW);
    const [alert] = store.alerts.values();
    expect(alert).toMatchObject({ notify_attempts: 1, notify_error: 'webhook answered 503', pending: true });
    notifier.failing = false;
    await evaluator.evaluate(NOW + 1000);
    expect(notifier.sent.map((n) => n.alert_id)).toEqual([alert.alert_id]);
    expect(alert.pending).toBe(false);

    const other = setup();
    other.notifier.failing = true;
    for (let i = 0; i < NOTIFY_MAX_ATTEMPTS + 2; i++) await other.evaluator.evaluate(NOW + i * 1000);
    const [given] = other.store.alerts.values();
    expect(given).toMatchObject({ notify_attempts: NOTIFY_MAX_ATTEMPTS, pending: false });
  });

  it('records that nothing was sent when no webhook is configured', async () => {
    const { store, evaluator } = setup({ configured: false });
    await evaluator.evaluate(NOW);
    const [alert] = store.alerts.values();
    expect(alert).toMatchObject({
      status: 'firing',
      pending: false,
      notify_error: 'ALERTS_WEBHOOK_URL is not set',
    });
  });

  it('resolves an open alert whose rule was removed', async () => {
    const { store, notifier, evaluator, setRules } = setup();
    await evaluator.evaluate(NOW);
    setRules([]);
    await evaluator.evaluate(NOW + 1000);
    const [alert] = store.alerts.values();
    expect(alert).toMatchObject({ status: 'resolved', resolved_values: { rule_removed: true } });
    expect(notifier.sent.map((n) => n.status)).toEqual(['firing', 'resolved']);
  });
});
