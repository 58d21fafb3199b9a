// Real repositories over the shared emulators, with freshly provisioned, uniquely named resources.
import { PageCursors } from '../../src/shared/paging/page-cursor';
import { createAwsClients, destroyAwsClients, AwsClients } from '../../src/shared/aws/aws-clients';
import { DynamoTable, readLimitsOf } from '../../src/shared/aws/dynamo-table';
import { DynamoEventIndex } from '../../src/shared/events/dynamo-event-index';
import { DynamoIngestStatsStore } from '../../src/shared/ingest-stats/dynamo-ingest-stats-store';
import { DynamoRejectedStore } from '../../src/shared/rejected/dynamo-rejected-store';
import { S3RawStore } from '../../src/shared/raw/s3-raw-store';
import { SqsQueuePublisher } from '../../src/shared/queue/sqs-queue-publisher';
import { Env } from '../../src/shared/config/env.config';
import { Retention } from '../../src/shared/retention/retention';
import { testStorage } from './test-app';
import { fixedShards } from '../../src/shared/shards/shard-counts';

export interface Stores {
  env: Env;
  clients: AwsClients;
  raw: S3RawStore;
  table: DynamoTable;
  index: DynamoEventIndex;
  stats: DynamoIngestStatsStore;
  rejected: DynamoRejectedStore;
  queue: SqsQueuePublisher;
  close: () => void;
}

export async function openStores(label: string, overrides: Record<string, string> = {}): Promise<Stores> {
  const env = await testStorage(label, overrides);
  const clients = createAwsClients(env);
  const table = new DynamoTable(
    clients.dynamo,
    env.PIPESCOPE_TABLE,
    readLimitsOf(env),
    PageCursors.fromEnv(env),
  );
  return {
    env,
    clients,
    raw: new S3RawStore(clients.s3, env.PIPESCOPE_BUCKET),
    table,
    index: new DynamoEventIndex(table, Retention.fromEnv(env), fixedShards(env.SOURCE_INDEX_SHARDS)),
    stats: new DynamoIngestStatsStore(table, {
      shards: fixedShards(env.COUNTER_SHARDS),
      writer: 'test-stores',
    }),
    rejected: new DynamoRejectedStore(table, Retention.fromEnv(env)),
    queue: new SqsQueuePublisher(clients.sqs, env.PIPESCOPE_QUEUE),
    close: () => destroyAwsClients(clients),
  };
}
