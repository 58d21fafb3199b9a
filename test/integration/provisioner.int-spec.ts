import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { createAwsClients, destroyAwsClients } from '../../src/shared/aws/aws-clients';
import { ResourceProvisioner } from '../../src/shared/aws/provisioner';
import { testEnv } from '../support/test-app';

describe('ResourceProvisioner against the emulators', () => {
  it('creates everything once and is idempotent', async () => {
    const env = testEnv('provision', { QUEUE_MAX_RECEIVE_COUNT: '3' });
    const clients = createAwsClients(env);
    try {
      const provisioner = new ResourceProvisioner(env, clients);
      const first = await provisioner.provision();
      expect(first).toMatchObject({ bucket: 'created', table: 'created' });
      const second = await provisioner.provision();
      expect(second).toMatchObject({ bucket: 'exists', table: 'exists' });

      const table = await clients.dynamoBase.send(
        new DescribeTableCommand({ TableName: env.PIPESCOPE_TABLE }),
      );
      expect(table.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual([
        'gsi1',
        'gsi2',
        'gsi3',
        'gsi4',
      ]);
      const ttl = await clients.dynamoBase.send(
        new DescribeTimeToLiveCommand({ TableName: env.PIPESCOPE_TABLE }),
      );
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expires_at');

      const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: env.PIPESCOPE_QUEUE }));
      const attrs = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }),
      );
      const redrive = JSON.parse(attrs.Attributes?.RedrivePolicy ?? '{}') as {
        maxReceiveCount: number;
        deadLetterTargetArn: string;
      };
      expect(Number(redrive.maxReceiveCount)).toBe(3);
      expect(redrive.deadLetterTargetArn).toContain(env.deadLetterQueue);
    } finally {
      destroyAwsClients(clients);
    }
  });
});
