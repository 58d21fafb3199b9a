// The background alert check. Every ALERTS_INTERVAL_MS each instance tries to take (or renew) the
// `alerts` lease; the one holding it evaluates every rule against every known source, opens and
// resolves alerts through the store's conditional writes, and delivers notifications. A leader that
// dies is replaced once its lease (three intervals) runs out; hysteresis state is in the table, so
// the next leader carries on where it stopped.
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Env } from '../shared/config/env.config';
import { instanceOwner } from '../shared/lease/lease';
import { LeaseStore } from '../shared/lease/lease-store';
import {
  emptyState,
  measure,
  Measurement,
  RuleState,
  sameState,
  SourceObservation,
  step,
} from './alert-evaluation';
import { AlertInputs } from './alert-inputs';
import { AlertNotifier } from './alert-notifier';
import { Rule, rulesFor } from './alert-rules';
import { Alert, AlertStore } from './alert-store';
import { linkFor, notificationOf } from './alert-views';
import { AlertsMetrics } from './alerts.metrics';
import { AlertsService } from './alerts.service';

export const ALERTS_LEASE = 'alerts';
/** Delivery attempts (one per evaluation) before a notification is given up on. */
export const NOTIFY_MAX_ATTEMPTS = 10;

const keyOf = (rule: string, source: string) => `${rule}\u0000${source}`;

@Injectable()
export class AlertsEvaluator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertsEvaluator.name);
  readonly owner = instanceOwner();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private leading = false;

  constructor(
    private readonly alerts: AlertsService,
    private readonly store: AlertStore,
    private readonly leases: LeaseStore,
    private readonly inputs: AlertInputs,
    private readonly notifier: AlertNotifier,
    private readonly metrics: AlertsMetrics,
    private readonly env: Env,
  ) {}

  get leaseMs(): number {
    return this.env.ALERTS_INTERVAL_MS * 3;
  }

  onApplicationBootstrap(): void {
    if (!this.env.ALERTS_ENABLED) return;
    this.timer = setInterval(() => this.wake(), this.env.ALERTS_INTERVAL_MS);
    this.timer.unref();
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.leading) await this.leases.release(ALERTS_LEASE, this.owner).catch(() => undefined);
  }

  /** Runs one evaluation unless one is still running (a slow one is not stacked). */
  wake(): void {
    if (this.running) return;
    this.running = this.evaluate()
      .catch((err: unknown) => this.logger.warn({ op: 'alerts.evaluate', err }, 'alert evaluation failed'))
      .finally(() => (this.running = undefined));
  }

  /** One evaluation, if this instance holds the lease. Public for tests and benchmarks. */
  async evaluate(now = Date.now()): Promise<void> {
    this.leading = await this.leases.acquire(ALERTS_LEASE, this.owner, now, now + this.leaseMs);
    this.metrics.leader.set(this.leading ? 1 : 0);
    if (!this.leading) {
      this.metrics.openByRule(new Map());
      return;
    }
    const { rules } = await this.alerts.effectiveRules();
    const states = new Map((await this.store.states()).map((s) => [keyOf(s.rule, s.source), s]));
    const watched = [...states.values()].filter((s) => s.open_alert_id || s.breach_streak > 0);
    const observations = await this.inputs.observe(
      rules,
      now,
      watched.map((s) => s.source),
    );
    const handled = new Set<string>();
    const seen = new Set<string>();
    const open = new Map<string, number>();
    for (const obs of observations) {
      for (const rule of rulesFor(rules, obs.source)) {
        const key = keyOf(rule.name, obs.source);
        seen.add(key);
        const state = states.get(key) ?? emptyState(rule.name, obs.source);
        const isOpen = await this.apply(rule, obs, state, now, handled);
        if (isOpen) open.set(rule.name, (open.get(rule.name) ?? 0) + 1);
      }
    }
    for (const state of states.values()) {
      // The rule was removed or no longer covers the source: its open alert ends with it.
      if (state.open_alert_id && !seen.has(keyOf(state.rule, state.source))) {
        await this.close(state, now, null, { rule_removed: true }, handled);
      }
    }
    await this.deliverPending(handled);
    this.metrics.openByRule(open);
  }

  /** Measures one (rule, source), moves its state on; answers whether an alert is open afterwards. */
  private async apply(
    rule: Rule,
    obs: SourceObservation,
    state: RuleState,
    now: number,
    handled: Set<string>,
  ): Promise<boolean> {
    const m = measure(rule, obs, now);
    const next = step(rule, state, m.verdict);
    if (next.action === 'fire') return this.fire(rule, obs.source, next.state, m, now, handled);
    if (next.action === 'resolve') {
      await this.close(state, now, m.value, m.values, handled);
      return false;
    }
    if (!sameState(state, next.state)) await this.store.saveState(next.state);
    if (state.open_alert_id) this.metrics.firing.set({ source: obs.source, rule: rule.name }, 1);
    return state.open_alert_id !== undefined;
  }

  private async fire(
    rule: Rule,
    source: string,
    state: RuleState,
    m: Measurement,
    now: number,
    handled: Set<string>,
  ): Promise<boolean> {
    const alert: Alert = {
      alert_id: randomUUID(),
      rule: rule.name,
      kind: rule.kind,
      source,
      status: 'firing',
      fired_at: new Date(now).toISOString(),
      threshold: rule.threshold,
      value: m.value,
      values: m.values,
      link: linkFor(this.env.alertsLinkBase, rule, source, now),
      notify_attempts: 0,
    };
    if (!(await this.store.open(alert, state))) return true;
    this.logger.warn(
      {
        op: 'alert.fire',
        alert_id: alert.alert_id,
        source,
        rule: rule.name,
        value: m.value,
        values: m.values,
      },
      'alert firing',
    );
    this.metrics.transitions.inc({ rule: rule.name, status: 'firing' });
    this.metrics.firing.set({ source, rule: rule.name }, 1);
    await this.deliver(alert, handled);
    return true;
  }

  private async close(
    state: RuleState,
    now: number,
    value: number | null,
    values: Alert['values'],
    handled: Set<string>,
  ): Promise<void> {
    const closed = { ...state, breach_streak: 0, clear_streak: 0 };
    const alert = await this.store.resolve(closed, new Date(now).toISOString(), value, values);
    if (!alert) return;
    this.logger.log(
      {
        op: 'alert.resolve',
        alert_id: alert.alert_id,
        source: alert.source,
        rule: alert.rule,
        value,
        values,
      },
      'alert resolved',
    );
    this.metrics.transitions.inc({ rule: alert.rule, status: 'resolved' });
    this.metrics.firing.set({ source: alert.source, rule: alert.rule }, 0);
    await this.deliver(alert, handled);
  }

  /** Notifications whose earlier delivery failed (or whose leader stopped before sending them). */
  private async deliverPending(handled: Set<string>): Promise<void> {
    for (const alert of await this.store.pendingNotifications()) {
      if (!handled.has(alert.alert_id)) await this.deliver(alert, handled);
    }
  }

  /**
   * Sends the alert's pending notification under a claim, so an instance that takes over meanwhile
   * does not send it too. A failure is retried on later evaluations, up to NOTIFY_MAX_ATTEMPTS.
   */
  private async deliver(pending: Alert, handled: Set<string>): Promise<void> {
    handled.add(pending.alert_id);
    const id = pending.alert_id;
    if (!this.notifier.configured) {
      this.metrics.notifications.inc({ outcome: 'not_configured' });
      if (await this.claim(id))
        await this.store.notifyFailed(id, this.owner, 'ALERTS_WEBHOOK_URL is not set', true);
      return;
    }
    const alert = await this.claim(id);
    if (!alert) return;
    try {
      await this.notifier.send(notificationOf(alert, this.env.alertsLinkBase));
    } catch (err) {
      const giveUp = alert.notify_attempts + 1 >= NOTIFY_MAX_ATTEMPTS;
      const message = err instanceof Error ? err.message : String(err);
      this.metrics.notifications.inc({ outcome: giveUp ? 'given_up' : 'failed' });
      this.logger.warn(
        { op: 'alert.notify', alert_id: id, status: alert.status, give_up: giveUp, err: message },
        'alert notification not delivered',
      );
      await this.store.notifyFailed(id, this.owner, message, giveUp);
      return;
    }
    this.metrics.notifications.inc({ outcome: 'delivered' });
    await this.store.notified(id, this.owner, alert.status, new Date().toISOString());
  }

  /** Long enough for one webhook call, short enough that a crashed sender's claim soon runs out. */
  private claim(alertId: string): Promise<Alert | undefined> {
    const now = Date.now();
    return this.store.claimNotification(
      alertId,
      this.owner,
      now,
      now + 2 * this.env.ALERTS_WEBHOOK_TIMEOUT_MS,
    );
  }
}
