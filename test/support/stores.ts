// Real repositories over the shared emulators, with freshly provisioned, uniquely named resources.
import { createAwsClients, destroyAwsClients, AwsClients } from '../../src/shared/aws/aws-clients';
import { DynamoEventIndex } from '../../src/shared/aws/dynamo-event-index';
import { S3RawStore } from '../../src/shared/aws/s3-raw-store';
import { SqsQueuePublisher } from '../../src/shared/aws/sqs-queue-publisher';
import { Env } from '../../src/shared/config/env.config';
import { testStorage } from './test-app';

export interface Stores {
  env: Env;
  clients: AwsClients;
  raw: S3RawStore;
  index: DynamoEventIndex;
  queue: SqsQueuePublisher;
  close: () => void;
}

export async function openStores(label: string): Promise<Stores> {
  const env = await testStorage(label);
  const clients = createAwsClients(env);
  return {
    env,
    clients,
    raw: new S3RawStore(clients.s3, env.PIPESCOPE_BUCKET),
    index: new DynamoEventIndex(clients.dynamo, env.PIPESCOPE_TABLE),
    queue: new SqsQueuePublisher(clients.sqs, env.PIPESCOPE_QUEUE),
    close: () => destroyAwsClients(clients),
  };
}
