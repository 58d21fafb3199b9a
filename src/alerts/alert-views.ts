// What a notification says: a one-line summary a human reads at 3 a.m., the values, and links to the
// API query to start from and to the alert itself. Pure.
import type { AlertNotification } from './alert-notifier';
import type { Rule } from './alert-rules';
import type { Alert } from './alert-store';
import { windowStart } from './alert-evaluation';

/** The API query an investigator opens first: the source's silence gaps, or its stats over the window. */
export function linkFor(base: string, rule: Rule, source: string, now: number): string {
  const q = new URLSearchParams({
    source,
    from: new Date(windowStart(rule, now)).toISOString(),
    to: new Date(now).toISOString(),
  });
  return `${base}/${rule.kind === 'silence' ? 'gaps' : 'stats'}?${q.toString()}`;
}

function summaryOf(a: Alert): string {
  const value = a.status === 'firing' ? a.value : (a.resolved_value ?? null);
  if (a.status === 'resolved' && a.kind === 'silence') return `${a.source} is sending again (rule ${a.rule})`;
  const verb = a.status === 'firing' ? 'is' : 'is back to';
  switch (a.kind) {
    case 'silence':
      return `${a.source} sent nothing for ${value} minutes (rule ${a.rule}: ${a.threshold} minutes)`;
    case 'lag_p99':
      return `${a.source} lag p99 ${verb} ${value ?? 'unmeasured'} ms (rule ${a.rule}: ${a.threshold} ms)`;
    case 'reject_rate':
    case 'conflict_rate':
      return `${a.source} ${a.kind.replace('_', ' ')} ${verb} ${value ?? 0} (rule ${a.rule}: ${a.threshold})`;
  }
}

export function notificationOf(a: Alert, base: string): AlertNotification {
  const resolved = a.status === 'resolved';
  return {
    alert_id: a.alert_id,
    status: a.status,
    source: a.source,
    rule: a.rule,
    kind: a.kind,
    summary: summaryOf(a),
    value: resolved ? (a.resolved_value ?? null) : a.value,
    threshold: a.threshold,
    values: resolved ? (a.resolved_values ?? {}) : a.values,
    fired_at: a.fired_at,
    resolved_at: a.resolved_at ?? null,
    link: a.link,
    alert_link: `${base}/alerts/${a.alert_id}`,
  };
}
