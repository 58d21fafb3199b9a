// Owns /replay: dry-run plans, frozen selections, rate-limited and resumable sending to SQS, cancel,
// and the output formats of replay messages. Import ReplayModule as it is, or
// ReplayModule.register({ formatters: [MyFormatter] }) to add formats (docs/extending.md).
import { DynamicModule, Module, Type } from '@nestjs/common';
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
import { ReplayFormatter } from './replay-formatter';
import { ManifestPartCache, ManifestStore } from './manifest-store';
import { RawStore } from '../shared/raw/raw-store';
import { Env } from '../shared/config/env.config';
import {
  CloudEventsFormatter,
  FullFormatter,
  PointerFormatter,
  REPLAY_FORMATTERS,
  ReplayFormats,
} from './replay-formats';

export interface ReplayModuleOptions {
  /** Formatters added to the built-in ones (pointer, full, cloudevents); each a Nest provider. */
  formatters?: Type<ReplayFormatter>[];
}

@Module({
  controllers: [ReplayController],
  providers: [
    ReplayService,
    ReplayRunner,
    ReplaySender,
    ReplayMetrics,
    ReplayResendService,
    UnprocessedFinder,
    PointerFormatter,
    FullFormatter,
    CloudEventsFormatter,
    ReplayFormats,
    {
      // The processor writes the DONE markers; replay reads them to find unprocessed events.
      provide: ReplayProgress,
      inject: [DynamoTable],
      useFactory: (t: DynamoTable) => new DynamoReplayProgress(t),
    },
    {
      provide: ManifestStore,
      inject: [RawStore, Env, ReplayMetrics],
      useFactory: (raw: RawStore, env: Env, metrics: ReplayMetrics) =>
        new ManifestStore(
          raw,
          new ManifestPartCache(env.REPLAY_PART_CACHE_MB * 1024 * 1024, {
            observe: (bytes) => metrics.manifestBytes.set(bytes),
          }),
        ),
    },
    {
      provide: ReplayJobStore,
      inject: [DynamoTable],
      useFactory: (t: DynamoTable) => new DynamoReplayJobStore(t),
    },
  ],
  exports: [ReplayService],
})
export class ReplayModule {
  /** The module with a team's formatters registered beside the built-in ones. */
  static register(options: ReplayModuleOptions = {}): DynamicModule {
    const formatters = options.formatters ?? [];
    return {
      module: ReplayModule,
      providers: [
        ...formatters,
        {
          provide: REPLAY_FORMATTERS,
          inject: formatters,
          useFactory: (...instances: ReplayFormatter[]) => instances,
        },
      ],
    };
  }
}
