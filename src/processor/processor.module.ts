// Owns the downstream half: the replay-queue consumer, the shared processing service, the aggregators
// and the aggregates read API. The Lambda handler (processor.lambda.ts) uses ProcessorCoreModule alone.
// Aggregators come from PROCESSOR_AGGREGATORS and from ProcessorModule.register({ aggregators }).
import { DynamicModule, Module } from '@nestjs/common';
import { SqsModule } from '@ssut/nestjs-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { QueuePublisher } from '../shared/queue/queue-publisher';
import { SQS_CLIENT } from '../shared/aws/aws.module';
import { Retention } from '../shared/retention/retention';
import { Env } from '../shared/config/env.config';
import { DynamoTable } from '../shared/aws/dynamo-table';
import { AggregateStore } from './aggregate-store';
import { DynamoAggregateStore } from './dynamo-aggregate-store';
import { AggregatesController } from './aggregates.controller';
import { AggregatesService } from './aggregates.service';
import { ProcessorConsumer, REPLAY_CONSUMER } from './processor.consumer';
import { ProcessorMetrics } from './processor.metrics';
import { ProcessorService } from './processor.service';
import { AggregatorRegistry } from './aggregator-registry';
import type { Aggregator } from './aggregator';

/** What code passes to ProcessorModule.register: aggregators beside those PROCESSOR_AGGREGATORS names. */
export class ProcessorOptions {
  aggregators?: Aggregator[];
}

/** The long poll must end before the SQS client's request timeout (STORAGE_TIMEOUT_MS) fires. */
export function longPollSeconds(env: Env): number {
  // Half a second to spare: the call's deadline fires at STORAGE_TIMEOUT_MS exactly.
  return Math.max(1, Math.min(env.PROCESSOR_WAIT_TIME_S, Math.floor((env.STORAGE_TIMEOUT_MS - 500) / 1000)));
}

/** Processing without HTTP or polling: what the Lambda handler boots. */
@Module({
  providers: [
    ProcessorService,
    ProcessorMetrics,
    {
      provide: AggregatorRegistry,
      inject: [Env, { token: ProcessorOptions, optional: true }],
      useFactory: (env: Env, options?: ProcessorOptions) =>
        AggregatorRegistry.fromConfig(env.processorAggregators, options?.aggregators),
    },
    // Its commits count replay progress too (the replay contract's marks; the job item is the replay module's).
    {
      provide: AggregateStore,
      inject: [DynamoTable, Retention],
      useFactory: (t: DynamoTable, r: Retention) => new DynamoAggregateStore(t, r),
    },
  ],
  exports: [ProcessorService, ProcessorMetrics, AggregateStore, AggregatorRegistry],
})
export class ProcessorCoreModule {
  static register(options: ProcessorOptions): DynamicModule {
    return {
      module: ProcessorCoreModule,
      providers: [{ provide: ProcessorOptions, useValue: options }],
    };
  }
}

@Module({
  imports: [
    SqsModule.registerAsync({
      inject: [Env, QueuePublisher, SQS_CLIENT],
      useFactory: async (env: Env, queue: QueuePublisher, sqs: SQSClient) => {
        if (!env.PROCESSOR_ENABLED) return { consumers: [], producers: [] };
        return {
          consumers: [
            {
              name: REPLAY_CONSUMER,
              queueUrl: await queue.queueUrl(env.PIPESCOPE_QUEUE),
              region: env.AWS_REGION,
              sqs,
              batchSize: env.PROCESSOR_BATCH_SIZE,
              waitTimeSeconds: longPollSeconds(env),
              messageSystemAttributeNames: ['ApproximateReceiveCount'],
              shouldDeleteMessages: false,
              // Stop aborts a waiting long poll; in-flight batches are awaited by ProcessorConsumer.
              stopOptions: { abort: true },
            },
          ],
          producers: [],
        };
      },
    }),
  ],
  controllers: [AggregatesController],
  providers: [ProcessorConsumer, AggregatesService],
})
export class ProcessorModule {
  /** The processor with aggregators of its own, e.g. `ProcessorModule.register({ aggregators: [mine] })`. */
  static register(options: ProcessorOptions = {}): DynamicModule {
    return { module: ProcessorModule, imports: [ProcessorCoreModule.register(options)] };
  }
}
