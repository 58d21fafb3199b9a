// Alerting on the single DynamoDB table: the rule set (ALERTRULES / #RULES), one hysteresis state per
// (rule, source) in partition ALERTSTATE, one item per alert (ALERT#<id> / #ALERT) listed through gsi1,
// open ones through the sparse gsi2 and undelivered notifications through the sparse gsi3. Opening and
// resolving write the alert and its state in one transaction, so two evaluators never open two alerts
// for one (rule, source).
import { DynamoTable, isTransactionCancelled, Item, pick } from '../shared/aws/dynamo-table';
import { TTL_ATTRIBUTE } from '../shared/aws/provisioner';
import { alertKeys } from '../shared/aws/table-keys';
import { releaseLease, releaseUpdate, takeLease } from '../shared/lease/lease';
import type { Page } from '../shared/paging/page';
import type { RuleState } from './alert-evaluation';
import { Alert, AlertStatus, AlertStore, AlertValues, StoredRules } from './alert-store';

const ALERT_FIELDS = [
  'alert_id',
  'rule',
  'kind',
  'source',
  'status',
  'fired_at',
  'resolved_at',
  'threshold',
  'value',
  'values',
  'resolved_value',
  'resolved_values',
  'link',
  'notified_firing_at',
  'notified_resolved_at',
  'notify_attempts',
  'notify_error',
] as const;
const STATE_FIELDS = ['rule', 'source', 'breach_streak', 'clear_streak', 'open_alert_id'] as const;

const toAlert = (item: Item): Alert => {
  const alert = pick<Alert>(item, ALERT_FIELDS);
  alert.notify_attempts = Number(item.notify_attempts ?? 0);
  if (alert.value === undefined) alert.value = null;
  return alert;
};

export class DynamoAlertStore extends AlertStore {
  constructor(
    private readonly table: DynamoTable,
    /** How long a resolved alert is kept (TTL), in days. */
    private readonly historyDays: number,
  ) {
    super();
  }

  async getRules(): Promise<StoredRules | undefined> {
    const item = await this.table.get(alertKeys.rules);
    return item ? pick<StoredRules>(item, ['rules', 'updated_at', 'updated_by']) : undefined;
  }

  async putRules(rules: StoredRules): Promise<void> {
    // Stored as plain JSON values: the DTO instances' prototypes mean nothing to DynamoDB.
    await this.table.put({ ...alertKeys.rules, ...(JSON.parse(JSON.stringify(rules)) as Item) });
  }

  async states(): Promise<RuleState[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': alertKeys.statePartition },
    });
    return items.map((item) => pick<RuleState>(item, STATE_FIELDS));
  }

  async saveState(state: RuleState): Promise<void> {
    const held = state.open_alert_id;
    await this.table.putIf(
      { ...alertKeys.state(state.rule, state.source), ...state },
      held ? 'open_alert_id = :id' : 'attribute_not_exists(open_alert_id)',
      held ? { ':id': held } : undefined,
    );
  }

  async open(alert: Alert, state: RuleState): Promise<boolean> {
    const sortKey = `${alert.fired_at}#${alert.alert_id}`;
    try {
      await this.table.transactWrite({
        TransactItems: [
          {
            Put: {
              TableName: this.table.name,
              Item: {
                ...alertKeys.alert(alert.alert_id),
                ...alert,
                gsi1pk: alertKeys.all,
                gsi1sk: sortKey,
                gsi2pk: alertKeys.open,
                gsi2sk: sortKey,
                gsi3pk: alertKeys.notify,
                gsi3sk: sortKey,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.table.name,
              Item: { ...alertKeys.state(state.rule, state.source), ...state, open_alert_id: alert.alert_id },
              ConditionExpression: 'attribute_not_exists(open_alert_id)',
            },
          },
        ],
      });
      return true;
    } catch (err) {
      if (isTransactionCancelled(err)) return false;
      throw err;
    }
  }

  async resolve(
    state: RuleState,
    resolvedAt: string,
    value: number | null,
    values: AlertValues,
  ): Promise<Alert | undefined> {
    const alertId = state.open_alert_id;
    if (!alertId) return undefined;
    const closed: RuleState = { ...state };
    delete closed.open_alert_id;
    try {
      await this.table.transactWrite({
        TransactItems: [
          {
            Update: {
              TableName: this.table.name,
              Key: alertKeys.alert(alertId),
              UpdateExpression:
                'SET #status = :resolved, resolved_at = :at, resolved_value = :value, resolved_values = :values, ' +
                `notify_attempts = :zero, gsi3pk = :notify, gsi3sk = :sk, ${TTL_ATTRIBUTE} = :ttl ` +
                'REMOVE gsi2pk, gsi2sk, notify_error',
              ConditionExpression: '#status = :firing',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':resolved': 'resolved',
                ':firing': 'firing',
                ':at': resolvedAt,
                ':value': value,
                ':values': values,
                ':zero': 0,
                ':notify': alertKeys.notify,
                ':sk': `${resolvedAt}#${alertId}`,
                ':ttl': Math.floor(Date.parse(resolvedAt) / 1000) + this.historyDays * 86_400,
              },
            },
          },
          {
            Put: {
              TableName: this.table.name,
              Item: { ...alertKeys.state(state.rule, state.source), ...closed },
              ConditionExpression: 'open_alert_id = :id',
              ExpressionAttributeValues: { ':id': alertId },
            },
          },
        ],
      });
    } catch (err) {
      if (isTransactionCancelled(err)) return undefined;
      throw err;
    }
    return this.get(alertId);
  }

  async get(alertId: string): Promise<Alert | undefined> {
    const item = await this.table.get(alertKeys.alert(alertId));
    return item ? toAlert(item) : undefined;
  }

  async openAlerts(): Promise<Alert[]> {
    return (await this.byIndex('gsi2', alertKeys.open)).map(toAlert);
  }

  async recent(limit: number, cursor?: string): Promise<Page<Alert>> {
    return this.table.queryPage(
      {
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': alertKeys.all },
        ScanIndexForward: false,
      },
      { limit, cursor },
      toAlert,
    );
  }

  async pendingNotifications(): Promise<Alert[]> {
    return (await this.byIndex('gsi3', alertKeys.notify)).map(toAlert);
  }

  async claimNotification(
    alertId: string,
    owner: string,
    now: number,
    until: number,
  ): Promise<Alert | undefined> {
    const lease = takeLease(owner, now, until);
    const item = await this.table.updateIf({
      Key: alertKeys.alert(alertId),
      UpdateExpression: `SET ${lease.set}`,
      ConditionExpression: `attribute_exists(gsi3pk) AND ${lease.condition}`,
      ExpressionAttributeNames: lease.names,
      ExpressionAttributeValues: lease.values,
    });
    return item ? toAlert(item) : undefined;
  }

  async notified(alertId: string, owner: string, status: AlertStatus, at: string): Promise<void> {
    const lease = releaseLease(owner);
    const done = await this.table.updateIf({
      ReturnValues: 'NONE',
      Key: alertKeys.alert(alertId),
      UpdateExpression: `SET notified_${status}_at = :at, notify_attempts = :zero REMOVE gsi3pk, gsi3sk, notify_error, ${lease.remove}`,
      ConditionExpression: `#status = :status AND ${lease.condition}`,
      ExpressionAttributeNames: { '#status': 'status', ...lease.names },
      ExpressionAttributeValues: { ':at': at, ':status': status, ':zero': 0, ...lease.values },
    });
    // The alert resolved while its firing notification was out: leave the resolved one pending.
    if (!done) await this.table.updateIf(releaseUpdate(alertKeys.alert(alertId), owner));
  }

  async notifyFailed(alertId: string, owner: string, error: string, giveUp: boolean): Promise<void> {
    const lease = releaseLease(owner);
    await this.table.updateIf({
      ReturnValues: 'NONE',
      Key: alertKeys.alert(alertId),
      UpdateExpression: `SET notify_error = :error ADD notify_attempts :one REMOVE ${lease.remove}${giveUp ? ', gsi3pk, gsi3sk' : ''}`,
      ConditionExpression: lease.condition,
      ExpressionAttributeNames: lease.names,
      ExpressionAttributeValues: { ':error': error.slice(0, 500), ':one': 1, ...lease.values },
    });
  }

  private byIndex(index: 'gsi2' | 'gsi3', partition: string): Promise<Item[]> {
    return this.table.queryAll({
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk`,
      ExpressionAttributeValues: { ':pk': partition },
    });
  }
}
