// Alert notifications as a JSON POST to ALERTS_WEBHOOK_URL: any 2xx is delivered, anything else (or no
// answer within ALERTS_WEBHOOK_TIMEOUT_MS) is a failure the evaluator retries on its next run.
import { AlertNotification, AlertNotifier } from './alert-notifier';

export class WebhookAlertNotifier extends AlertNotifier {
  readonly configured: boolean;

  constructor(
    private readonly url: string | undefined,
    private readonly timeoutMs: number,
  ) {
    super();
    this.configured = url !== undefined;
  }

  async send(notification: AlertNotification): Promise<void> {
    if (!this.url) return;
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'pipescope-alerts' },
      body: JSON.stringify(notification),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    // Read the body so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  }
}
