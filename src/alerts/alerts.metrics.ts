// Alerting metrics (docs/metrics.md). `AlertFiring` (EMF dimensions source, rule; Prometheus
// pipescope_alert_firing) is 1 on every evaluation while an alert is open and 0 when it resolves: a
// CloudWatch alarm on its Maximum >= 1 (missing data = not breaching) pages as well as the webhook.
import { Injectable } from '@nestjs/common';
import { MetricSet } from '../shared/metrics/metric-set';

export type NotificationOutcome = 'delivered' | 'failed' | 'given_up' | 'not_configured';

@Injectable()
export class AlertsMetrics extends MetricSet {
  readonly firing = this.metrics.gauge<{ source: string; rule: string }>({
    name: 'pipescope_alert_firing',
    help: '1 while an alert of the rule is open for the source, 0 once it resolved (evaluating instance)',
    labelNames: ['source', 'rule'],
    // Sources are whatever producers sent: bounded like ingest's (METRICS_MAX_SERIES, TTL).
    clientLabels: ['source'],
    unit: 'None',
    emf: { metric: 'AlertFiring', dimensions: ['source', 'rule'] },
  });
  readonly open = this.metrics.gauge<{ rule: string }>({
    name: 'pipescope_alerts_open',
    help: 'Open alerts by rule, as the evaluating instance last saw them',
    labelNames: ['rule'],
    unit: 'Count',
  });
  readonly transitions = this.metrics.counter<{ rule: string; status: 'firing' | 'resolved' }>({
    name: 'pipescope_alert_transitions_total',
    help: 'Alerts fired and resolved by this instance, by rule and status',
    labelNames: ['rule', 'status'],
    emf: { metric: 'AlertTransitions', dimensions: ['rule', 'status'] },
  });
  readonly notifications = this.metrics.counter<{ outcome: NotificationOutcome }>({
    name: 'pipescope_alert_notifications_total',
    help: 'Alert notification deliveries by outcome',
    labelNames: ['outcome'],
  });
  readonly leader = this.metrics.gauge({
    name: 'pipescope_alerts_leader',
    help: '1 while this instance holds the alert evaluator lease',
    unit: 'None',
  });
  private readonly rulesShown = new Set<string>();

  /** Open alerts per rule after an evaluation; rules shown before and absent now drop to 0. */
  openByRule(counts: ReadonlyMap<string, number>): void {
    for (const rule of new Set([...this.rulesShown, ...counts.keys()])) {
      this.open.set({ rule }, counts.get(rule) ?? 0);
      this.rulesShown.add(rule);
    }
  }
}
