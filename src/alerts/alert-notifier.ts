// Port for where alert notifications go. The one implementation posts JSON to a webhook
// (webhook-alert-notifier.ts); with no ALERTS_WEBHOOK_URL, notifications are only logged and metered.
import type { Alert } from './alert-store';

/** The JSON body a receiver gets, once when an alert fires and once when it resolves. */
export interface AlertNotification {
  alert_id: string;
  status: Alert['status'];
  source: string;
  rule: string;
  kind: Alert['kind'];
  summary: string;
  /** The measured value (firing: when it fired; resolved: when it resolved) and its threshold. */
  value: number | null;
  threshold: number;
  values: Alert['values'];
  fired_at: string;
  resolved_at: string | null;
  /** The API query to start the investigation with, and the alert itself. */
  link: string;
  alert_link: string;
}

export abstract class AlertNotifier {
  /** Whether notifications go anywhere. */
  abstract readonly configured: boolean;
  /** Delivers one notification; throws when the receiver did not take it (it is retried). */
  abstract send(notification: AlertNotification): Promise<void>;
}
