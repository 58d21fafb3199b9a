// The table of the stateful stack against the table `npm run provision` creates (DynamoDB Local): the
// same keys, attribute types, indexes with their projections, billing mode and TTL attribute.
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createAwsClients, destroyAwsClients } from '../../src/shared/aws/aws-clients';
import { DEFAULT_SETTINGS } from '../lib/settings';
import { StatefulStack } from '../lib/stateful-stack';
import { testStorage } from '../../test/support/test-app';

type Key = { AttributeName?: string; KeyType?: string };
const byName = <T extends { AttributeName?: string; IndexName?: string }>(a: T, b: T) =>
  String(a.IndexName ?? a.AttributeName).localeCompare(String(b.IndexName ?? b.AttributeName));

describe('the CDK table and the provisioned table', () => {
  it('have the same schema', async () => {
    const stack = new StatefulStack(new App({ builtinCloudFormationValidation: false }), 'Parity', {
      settings: DEFAULT_SETTINGS,
    });
    const [cdk] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table')) as {
      Properties: {
        KeySchema: Key[];
        AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
        GlobalSecondaryIndexes: {
          IndexName: string;
          KeySchema: Key[];
          Projection: { ProjectionType: string };
        }[];
        BillingMode: string;
        TimeToLiveSpecification: { AttributeName: string };
      };
    }[];

    const env = await testStorage('parity');
    const clients = createAwsClients(env);
    try {
      const { Table } = await clients.dynamoBase.send(
        new DescribeTableCommand({ TableName: env.PIPESCOPE_TABLE }),
      );
      const ttl = await clients.dynamoBase.send(
        new DescribeTimeToLiveCommand({ TableName: env.PIPESCOPE_TABLE }),
      );
      const p = cdk.Properties;
      expect(Table!.KeySchema).toEqual(p.KeySchema);
      expect([...Table!.AttributeDefinitions!].sort(byName)).toEqual(
        [...p.AttributeDefinitions].sort(byName),
      );
      expect(
        Table!
          .GlobalSecondaryIndexes!.map((g) => ({
            IndexName: g.IndexName,
            KeySchema: g.KeySchema,
            Projection: { ProjectionType: g.Projection?.ProjectionType },
          }))
          .sort(byName),
      ).toEqual([...p.GlobalSecondaryIndexes].sort(byName));
      expect(Table!.BillingModeSummary?.BillingMode).toBe(p.BillingMode);
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe(p.TimeToLiveSpecification.AttributeName);
    } finally {
      destroyAwsClients(clients);
    }
  });
});
