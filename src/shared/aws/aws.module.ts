// The store boundary: SDK clients built once from config, and the repositories that alone use them.
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Env } from '../config/env.config';
import { AggregateStore, ReplayProgress } from './aggregate-store';
import { AwsClients, createAwsClients, destroyAwsClients } from './aws-clients';
import { DynamoAggregateStore, DynamoReplayProgress } from './dynamo-aggregate-store';
import { DynamoEventIndex } from './dynamo-event-index';
import { EventIndex } from './event-index';
import { ResourceProvisioner } from './provisioner';
import { QueuePublisher } from './queue-publisher';
import { DynamoReplayJobStore } from './dynamo-replay-job-store';
import { RawStore } from './raw-store';
import { ReplayJobStore } from './replay-job-store';
import { S3RawStore } from './s3-raw-store';
import { SqsQueuePublisher } from './sqs-queue-publisher';

export const AWS_CLIENTS = Symbol('AWS_CLIENTS');
/** The raw SQS client, only for @ssut/nestjs-sqs (sqs-consumer needs a client, not a repository). */
export const SQS_CLIENT = Symbol('SQS_CLIENT');

@Global()
@Module({
  providers: [
    { provide: AWS_CLIENTS, inject: [Env], useFactory: createAwsClients },
    {
      provide: RawStore,
      inject: [AWS_CLIENTS, Env],
      useFactory: (c: AwsClients, env: Env) => new S3RawStore(c.s3, env.PIPESCOPE_BUCKET),
    },
    {
      provide: EventIndex,
      inject: [AWS_CLIENTS, Env],
      useFactory: (c: AwsClients, env: Env) => new DynamoEventIndex(c.dynamo, env.PIPESCOPE_TABLE),
    },
    {
      provide: QueuePublisher,
      inject: [AWS_CLIENTS, Env],
      useFactory: (c: AwsClients, env: Env) => new SqsQueuePublisher(c.sqs, env.PIPESCOPE_QUEUE),
    },
    {
      provide: ReplayJobStore,
      inject: [AWS_CLIENTS, Env],
      useFactory: (c: AwsClients, env: Env) => new DynamoReplayJobStore(c.dynamo, env.PIPESCOPE_TABLE),
    },
    {
      provide: AggregateStore,
      inject: [AWS_CLIENTS, Env],
      useFactory: (c: AwsClients, env: Env) => new DynamoAggregateStore(c.dynamo, env.PIPESCOPE_TABLE),
    },
    {
      provide: ReplayProgress,
      inject: [AWS_CLIENTS, Env],
      useFactory: (c: AwsClients, env: Env) => new DynamoReplayProgress(c.dynamo, env.PIPESCOPE_TABLE),
    },
    { provide: SQS_CLIENT, inject: [AWS_CLIENTS], useFactory: (c: AwsClients) => c.sqs },
    {
      provide: ResourceProvisioner,
      inject: [AWS_CLIENTS, Env],
      useFactory: (c: AwsClients, env: Env) => new ResourceProvisioner(env, c),
    },
  ],
  exports: [
    RawStore,
    EventIndex,
    QueuePublisher,
    ReplayJobStore,
    ResourceProvisioner,
    AWS_CLIENTS,
    AggregateStore,
    ReplayProgress,
    SQS_CLIENT,
  ],
})
export class AwsModule implements OnApplicationShutdown {
  constructor(@Inject(AWS_CLIENTS) private readonly clients: AwsClients) {}

  onApplicationShutdown(): void {
    destroyAwsClients(this.clients);
  }
}
