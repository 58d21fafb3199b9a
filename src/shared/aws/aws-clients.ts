// The SDK clients, built once from config. Explicit endpoints (AWS_ENDPOINT_URL_*) are passed through
// so emulators and AWS share one path; credentials come from the standard SDK chain, except in local
// mode, where the emulators take fixed ones.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Env } from '../config/env.config';
import { LOCAL_CREDENTIALS } from '../local/local-stack';

export interface AwsClients {
  s3: S3Client;
  /** The plain client, for table management; items go through `dynamo`. */
  dynamoBase: DynamoDBClient;
  dynamo: DynamoDBDocumentClient;
  sqs: SQSClient;
}

export function createAwsClients(env: Env): AwsClients {
  const requestHandler = () =>
    new NodeHttpHandler({
      connectionTimeout: Math.min(env.STORAGE_TIMEOUT_MS, 2000),
      requestTimeout: env.STORAGE_TIMEOUT_MS,
      httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
    });
  const base = {
    region: env.AWS_REGION,
    maxAttempts: 3,
    ...(env.PIPESCOPE_MODE === 'local' ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
  const s3 = new S3Client({
    ...base,
    endpoint: env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: requestHandler(),
  });
  const dynamoBase = new DynamoDBClient({
    ...base,
    endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
    requestHandler: requestHandler(),
  });
  const dynamo = DynamoDBDocumentClient.from(dynamoBase, {
    // A map whose keys a producer chose (an aggregate's by_type) may hold a key named `constructor`,
    // which the marshaller would otherwise take for a class instance and refuse.
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  const sqs = new SQSClient({
    ...base,
    endpoint: env.AWS_ENDPOINT_URL_SQS,
    requestHandler: requestHandler(),
  });
  return { s3, dynamoBase, dynamo, sqs };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.s3.destroy();
  clients.dynamoBase.destroy();
  clients.sqs.destroy();
}
