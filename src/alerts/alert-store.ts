// Port for alerting state: the rule set an operator stored, the hysteresis state of each
// (rule, source), and the alerts themselves with their notification state.
import type { Page } from '../shared/paging/page';
import type { AlertRuleDto, RuleKind } from './alert-rules';
import type { RuleState } from './alert-evaluation';

export type AlertStatus = 'firing' | 'resolved';
export type AlertValues = Record<string, number | string | boolean | null>;

export interface Alert {
  alert_id: string;
  rule: string;
  kind: RuleKind;
  source: string;
  status: AlertStatus;
  fired_at: string;
  resolved_at?: string;
  threshold: number;
  /** The measured value and the context when it fired. */
  value: number | null;
  values: AlertValues;
  /** The same when it resolved. */
  resolved_value?: number | null;
  resolved_values?: AlertValues;
  /** The API query an investigator opens first (gaps or stats of the source around the alert). */
  link: string;
  /** When the webhook accepted each notification. */
  notified_firing_at?: string;
  notified_resolved_at?: string;
  notify_attempts: number;
  notify_error?: string;
}

export interface StoredRules {
  rules: AlertRuleDto[];
  updated_at: string;
  updated_by: string;
}

export abstract class AlertStore {
  abstract getRules(): Promise<StoredRules | undefined>;
  abstract putRules(rules: StoredRules): Promise<void>;
  abstract states(): Promise<RuleState[]>;
  /** Writes a state unless another evaluator changed which alert it holds open. */
  abstract saveState(state: RuleState): Promise<void>;
  /** Stores a firing alert and the state that holds it, together; false if one is already open. */
  abstract open(alert: Alert, state: RuleState): Promise<boolean>;
  /** Resolves the state's open alert, together with the state; undefined if it was not open. */
  abstract resolve(
    state: RuleState,
    resolvedAt: string,
    value: number | null,
    values: AlertValues,
  ): Promise<Alert | undefined>;
  abstract get(alertId: string): Promise<Alert | undefined>;
  abstract openAlerts(): Promise<Alert[]>;
  /** Every alert, newest first. */
  abstract recent(limit: number, cursor?: string): Promise<Page<Alert>>;
  /** Alerts whose latest notification has not been delivered (nor given up on). */
  abstract pendingNotifications(): Promise<Alert[]>;
  /**
   * Takes the alert's pending notification for `owner` until `until` (a lease on the alert item), so
   * no other instance sends it meanwhile; the alert as it is now, or undefined when nothing is pending
   * or someone else holds it.
   */
  abstract claimNotification(
    alertId: string,
    owner: string,
    now: number,
    until: number,
  ): Promise<Alert | undefined>;
  /** The webhook took the notification of `status`; nothing is pending unless the status moved on. */
  abstract notified(alertId: string, owner: string, status: AlertStatus, at: string): Promise<void>;
  /** A delivery failed (the claim is given back); `giveUp` stops retrying it. */
  abstract notifyFailed(alertId: string, owner: string, error: string, giveUp: boolean): Promise<void>;
}
