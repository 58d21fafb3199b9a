import { withDefaults } from './alert-rules';
import type { Alert } from './alert-store';
import { linkFor, notificationOf } from './alert-views';

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
const base: Alert = {
  alert_id: '6f1c2b9e-7d1a-4a6e-9f3e-0c2d1b4a5e6f',
  rule: 'silence',
  kind: 'silence',
  source: 'orders-svc',
  status: 'firing',
  fired_at: '2026-11-25T12:00:00.000Z',
  threshold: 30,
  value: 41.5,
  values: { silent_minutes: 41.5 },
  link: 'http://ps/gaps?source=orders-svc',
  notify_attempts: 0,
};

describe('alert notifications', () => {
  it('links silence to the gaps of the baseline and the other rules to stats of their window', () => {
    const silence = withDefaults({ name: 'silence', kind: 'silence', minutes: 30, baseline_hours: 2 });
    expect(linkFor('http://ps', silence, 'orders svc', NOW)).toBe(
      'http://ps/gaps?source=orders+svc&from=2026-11-25T10%3A00%3A00.000Z&to=2026-11-25T12%3A00%3A00.000Z',
    );
    const rejects = withDefaults({ name: 'rej', kind: 'reject_rate', threshold: 0.05, window_minutes: 15 });
    expect(linkFor('http://ps', rejects, 's', NOW)).toBe(
      'http://ps/stats?source=s&from=2026-11-25T11%3A45%3A00.000Z&to=2026-11-25T12%3A00%3A00.000Z',
    );
  });

  it('says what fired, with its value, threshold and links', () => {
    expect(notificationOf(base, 'http://ps')).toEqual({
      alert_id: base.alert_id,
      status: 'firing',
      source: 'orders-svc',
      rule: 'silence',
      kind: 'silence',
      summary: 'orders-svc sent nothing for 41.5 minutes (rule silence: 30 minutes)',
      value: 41.5,
      threshold: 30,
      values: { silent_minutes: 41.5 },
      fired_at: base.fired_at,
      resolved_at: null,
      link: base.link,
      alert_link: `http://ps/alerts/${base.alert_id}`,
    });
  });

  it('carries the values at resolution once resolved', () => {
    const resolved: Alert = {
      ...base,
      kind: 'reject_rate',
      rule: 'rejects',
      threshold: 0.05,
      status: 'resolved',
      resolved_at: '2026-11-25T13:00:00.000Z',
      resolved_value: 0.01,
      resolved_values: { reject_rate: 0.01 },
    };
    expect(notificationOf(resolved, 'http://ps')).toMatchObject({
      status: 'resolved',
      summary: 'orders-svc reject rate is back to 0.01 (rule rejects: 0.05)',
      value: 0.01,
      values: { reject_rate: 0.01 },
      resolved_at: '2026-11-25T13:00:00.000Z',
    });
    expect(notificationOf({ ...base, status: 'resolved' }, 'http://ps').summary).toBe(
      'orders-svc is sending again (rule silence)',
    );
  });
});
