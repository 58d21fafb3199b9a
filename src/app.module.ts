import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { IngestModule } from './ingest/ingest.module';
import { QueryModule } from './query/query.module';
import { ReplayModule } from './replay/replay.module';
import { ProcessorModule } from './processor/processor.module';
import { ReconcileModule } from './reconcile/reconcile.module';
import { DlqModule } from './dlq/dlq.module';
import { AlertsModule } from './alerts/alerts.module';
import { SchemasModule } from './schemas/schemas.module';
import { MetricsModule } from './shared/metrics/metrics.module';
import { AuthModule } from './shared/auth/auth.module';
import { AwsModule } from './shared/aws/aws.module';
import { AppConfigModule } from './shared/config/config.module';
import { Env } from './shared/config/env.config';
import { AppErrorFilter } from './shared/errors/error.filter';
import { HealthModule } from './shared/health/health.module';
import { LoggingModule } from './shared/logging/logging.module';

/** The feature modules served over HTTP. */
const FEATURES: Type[] = [
  IngestModule,
  QueryModule,
  ReplayModule,
  ProcessorModule,
  ReconcileModule,
  DlqModule,
  AlertsModule,
  SchemasModule,
];

@Module({})
export class AppModule {
  static register(env: Env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(env),
        LoggingModule,
        AwsModule,
        MetricsModule,
        AuthModule,
        HealthModule,
        ...FEATURES,
      ],
      providers: [{ provide: APP_FILTER, useClass: AppErrorFilter }],
    };
  }
}
