// Alerting metrics, on the app's Prometheus registry and in EMF. `AlertFiring` (dimensions source,
// rule) is 1 on every evaluation while an alert is open and 0 when it resolves: a CloudWatch alarm on
// its Maximum >= 1 (missing data = not breaching) pages through CloudWatch as well as the webhook.
import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../shared/metrics/metrics.service';

export type NotificationOutcome = 'delivered' | 'failed' | 'given_up' | 'not_configured';

@Injectable()
export class AlertsMetrics {
  readonly open: Gauge<'rule'>;
  readonly transitions: Counter<'rule' | 'status'>;
  readonly notifications: Counter<'outcome'>;
  readonly leader: Gauge;

  constructor(private readonly metrics: MetricsService) {
    const registers = [metrics.registry];
    this.open = new Gauge({
      name: 'pipescope_alerts_open',
      help: 'Open alerts by rule, as the evaluating instance last saw them (0 on other instances)',
      labelNames: ['rule'] as const,
      registers,
    });
    this.transitions = new Counter({
      name: 'pipescope_alert_transitions_total',
      help: 'Alerts fired and resolved by this instance, by rule and status',
      labelNames: ['rule', 'status'] as const,
      registers,
    });
    this.notifications = new Counter({
      name: 'pipescope_alert_notifications_total',
      help: 'Alert notification deliveries by outcome',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.leader = new Gauge({
      name: 'pipescope_alerts_leader',
      help: '1 while this instance holds the alert evaluator lease',
      registers,
    });
  }

  firing(source: string, rule: string, value: 0 | 1): void {
    this.metrics.emfAdd({ source, rule }, 'AlertFiring', 'None', value);
  }

  transition(rule: string, status: 'firing' | 'resolved'): void {
    this.transitions.inc({ rule, status });
    this.metrics.emfAdd({ rule, status }, 'AlertTransitions', 'Count', 1);
  }

  notification(outcome: NotificationOutcome): void {
    this.notifications.inc({ outcome });
  }

  /** Open alerts per rule after an evaluation; rules not listed are reset to 0. */
  openByRule(counts: Map<string, number>): void {
    this.open.reset();
    for (const [rule, n] of counts) this.open.set({ rule }, n);
  }
}
