// Owns /admin/reconcile: jobs that compare the raw store with the index over a window, report what
// disagrees and, on request, index raw events ingest stored but never indexed.
import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { DynamoTable } from '../shared/aws/dynamo-table';
import { Retention } from '../shared/retention/retention';
import { DynamoReconcileJobStore } from './dynamo-reconcile-job-store';
import { ReconcileJobStore } from './reconcile-job-store';
import { ReconcileController } from './reconcile.controller';
import { ReconcileMetrics } from './reconcile.metrics';
import { ReconcileRunner } from './reconcile.runner';
import { ReconcileScheduler } from './reconcile.scheduler';
import { ReconcileService } from './reconcile.service';

/** Jobs, runner and store without HTTP or polling: what `npm run reconcile` boots. */
@Module({
  imports: [IngestModule],
  providers: [
    ReconcileService,
    ReconcileRunner,
    ReconcileMetrics,
    {
      provide: ReconcileJobStore,
      inject: [DynamoTable, Retention],
      useFactory: (t: DynamoTable, r: Retention) => new DynamoReconcileJobStore(t, r),
    },
  ],
  exports: [ReconcileService, ReconcileRunner, ReconcileJobStore],
})
export class ReconcileCoreModule {}

@Module({
  imports: [ReconcileCoreModule],
  controllers: [ReconcileController],
  providers: [ReconcileScheduler],
})
export class ReconcileModule {}
