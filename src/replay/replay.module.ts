// Owns /replay: dry-run plans, frozen selections, rate-limited and resumable sending to SQS, cancel.
import { Module } from '@nestjs/common';
import { DynamoTable } from '../shared/aws/dynamo-table';
import { DynamoReplayJobStore } from './dynamo-replay-job-store';
import { ReplayJobStore } from './replay-job-store';
import { ReplayController } from './replay.controller';
import { ReplayMetrics } from './replay.metrics';
import { ReplayRunner } from './replay.runner';
import { ReplaySender } from './replay.sender';
import { ReplayService } from './replay.service';
import { ReplayResendService } from './replay-resend.service';
import { UnprocessedFinder } from './replay-unprocessed';
import { DynamoReplayProgress } from './dynamo-replay-progress';
import { ReplayProgress } from './replay-progress';

@Module({
  controllers: [ReplayController],
  providers: [
    ReplayService,
    ReplayRunner,
    ReplaySender,
    ReplayMetrics,
    ReplayResendService,
    UnprocessedFinder,
    {
      // The processor writes the DONE markers; replay reads them to find unprocessed events.
      provide: ReplayProgress,
      inject: [DynamoTable],
      useFactory: (t: DynamoTable) => new DynamoReplayProgress(t),
    },
    {
      provide: ReplayJobStore,
      inject: [DynamoTable],
      useFactory: (t: DynamoTable) => new DynamoReplayJobStore(t),
    },
  ],
  exports: [ReplayService],
})
export class ReplayModule {}
