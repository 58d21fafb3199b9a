// Owns /alerts: silence and health rules per source, the leader-elected background evaluator, the
// alerts and their notifications (webhook and EMF).
import { Module } from '@nestjs/common';
import { DynamoTable } from '../shared/aws/dynamo-table';
import { Env } from '../shared/config/env.config';
import { AlertInputs } from './alert-inputs';
import { AlertNotifier } from './alert-notifier';
import { AlertStore } from './alert-store';
import { AlertsController } from './alerts.controller';
import { AlertsEvaluator } from './alerts.evaluator';
import { AlertsMetrics } from './alerts.metrics';
import { AlertsService } from './alerts.service';
import { DynamoAlertStore } from './dynamo-alert-store';
import { WebhookAlertNotifier } from './webhook-alert-notifier';

@Module({
  controllers: [AlertsController],
  providers: [
    AlertsService,
    AlertsEvaluator,
    AlertInputs,
    AlertsMetrics,
    {
      provide: AlertStore,
      inject: [DynamoTable, Env],
      useFactory: (t: DynamoTable, env: Env) => new DynamoAlertStore(t, env.ALERTS_HISTORY_DAYS),
    },
    {
      provide: AlertNotifier,
      inject: [Env],
      useFactory: (env: Env) =>
        new WebhookAlertNotifier(env.ALERTS_WEBHOOK_URL, env.ALERTS_WEBHOOK_TIMEOUT_MS),
    },
  ],
})
export class AlertsModule {}
