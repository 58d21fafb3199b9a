// The store boundary for what several features share: SDK clients built once from config, the table's
// generic operations, and the repositories over them. Stores one feature alone writes are provided by
// that feature's module (replay jobs by ReplayModule, aggregates by the processor).
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Env } from '../config/env.config';
import { DynamoEventIndex } from '../events/dynamo-event-index';
import { EventIndex } from '../events/event-index';
import { DynamoIngestStatsStore } from '../ingest-stats/dynamo-ingest-stats-store';
import { IngestStatsStore } from '../ingest-stats/ingest-stats-store';
import { QueuePublisher } from '../queue/queue-publisher';
import { SqsQueuePublisher } from '../queue/sqs-queue-publisher';
import { DynamoLeaseStore } from '../lease/dynamo-lease-store';
import { LeaseStore } from '../lease/lease-store';
import { DynamoMessageFailureStore } from '../message-failures/dynamo-message-failure-store';
import { MessageFailureStore } from '../message-failures/message-failure-store';
import { RawStore } from '../raw/raw-store';
import { S3RawStore } from '../raw/s3-raw-store';
import { DynamoRejectedStore } from '../rejected/dynamo-rejected-store';
import { RejectedStore } from '../rejected/rejected-store';
import { Retention } from '../retention/retention';
import { AwsClients, createAwsClients, destroyAwsClients } from './aws-clients';
import { DynamoTable, readLimitsOf } from './dynamo-table';
import { PageCursors } from '../paging/page-cursor';
import { ResourceProvisioner } from './provisioner';
import { StorageMetrics } from './storage.metrics';
import { ShardCountsService } from '../shards/shard-counts.service';
import { DynamoShardCountStore } from '../shards/dynamo-shard-count-store';

export const AWS_CLIENTS = Symbol('AWS_CLIENTS');
/** The raw SQS client, only for @ssut/nestjs-sqs (sqs-consumer needs a client, not a repository). */
export const SQS_CLIENT = Symbol('SQS_CLIENT');

@Global()
@Module({
  providers: [
    StorageMetrics,
    {
      provide: AWS_CLIENTS,
      inject: [Env, StorageMetrics],
      useFactory: (env: Env, metrics: StorageMetrics) =>
        createAwsClients(env, (dependency, operation, outcome) =>
          metrics.calls.inc({ dependency, operation, outcome }),
        ),
    },
    { provide: PageCursors, inject: [Env], useFactory: (env: Env) => PageCursors.fromEnv(env) },
    {
      provide: DynamoTable,
      inject: [AWS_CLIENTS, Env, PageCursors],
      useFactory: (c: AwsClients, env: Env, cursors: PageCursors) =>
        new DynamoTable(c.dynamo, env.PIPESCOPE_TABLE, readLimitsOf(env), cursors),
    },
    {
      provide: RawStore,
      inject: [AWS_CLIENTS, Env],
      useFactory: (c: AwsClients, env: Env) => new S3RawStore(c.s3, env.PIPESCOPE_BUCKET),
    },
    { provide: Retention, inject: [Env], useFactory: (env: Env) => Retention.fromEnv(env) },
    {
      provide: ShardCountsService,
      inject: [DynamoTable, Env],
      useFactory: (t: DynamoTable, env: Env) =>
        new ShardCountsService(new DynamoShardCountStore(t), {
          source_index: env.SOURCE_INDEX_SHARDS,
          counters: env.COUNTER_SHARDS,
        }),
    },
    {
      provide: EventIndex,
      inject: [DynamoTable, Retention, ShardCountsService],
      useFactory: (t: DynamoTable, r: Retention, shards: ShardCountsService) =>
        new DynamoEventIndex(t, r, shards.counts('source_index')),
    },
    {
      provide: RejectedStore,
      inject: [DynamoTable, Retention],
      useFactory: (t: DynamoTable, r: Retention) => new DynamoRejectedStore(t, r),
    },
    {
      provide: IngestStatsStore,
      inject: [DynamoTable, ShardCountsService],
      useFactory: (t: DynamoTable, shards: ShardCountsService) =>
        new DynamoIngestStatsStore(t, { shards: shards.counts('counters'), writer: randomUUID() }),
    },
    {
      provide: MessageFailureStore,
      inject: [DynamoTable],
      useFactory: (t: DynamoTable) => new DynamoMessageFailureStore(t),
    },
    { provide: LeaseStore, inject: [DynamoTable], useFactory: (t: DynamoTable) => new DynamoLeaseStore(t) },
    {
      provide: QueuePublisher,
      inject: [AWS_CLIENTS, Env],
      useFactory: (c: AwsClients, env: Env) => new SqsQueuePublisher(c.sqs, env.PIPESCOPE_QUEUE),
    },
    { provide: SQS_CLIENT, inject: [AWS_CLIENTS], useFactory: (c: AwsClients) => c.sqs },
    {
      provide: ResourceProvisioner,
      inject: [AWS_CLIENTS, Env],
      useFactory: (c: AwsClients, env: Env) => new ResourceProvisioner(env, c),
    },
  ],
  exports: [
    AWS_CLIENTS,
    SQS_CLIENT,
    PageCursors,
    DynamoTable,
    Retention,
    RawStore,
    EventIndex,
    RejectedStore,
    IngestStatsStore,
    QueuePublisher,
    LeaseStore,
    MessageFailureStore,
    ResourceProvisioner,
    ShardCountsService,
  ],
})
export class AwsModule implements OnApplicationShutdown {
  constructor(@Inject(AWS_CLIENTS) private readonly clients: AwsClients) {}

  onApplicationShutdown(): void {
    destroyAwsClients(this.clients);
  }
}
