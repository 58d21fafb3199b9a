// AWS Lambda entry point for the replay queue (SQS event source with ReportBatchItemFailures): the
// same ProcessorService as the consumer, in a Nest application context booted once per container.
// Lambda deletes the messages not listed in batchItemFailures; the listed ones are retried and, after
// the queue's maxReceiveCount, moved to the dead-letter queue. See docs/processor.md.
import 'reflect-metadata';
import { INestApplicationContext, Logger as NestLogger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Logger } from 'nestjs-pino';
import { AwsModule } from '../shared/aws/aws.module';
import { AppConfigModule } from '../shared/config/config.module';
import { Env, validateEnv } from '../shared/config/env.config';
import { LoggingModule } from '../shared/logging/logging.module';
import { MetricsModule } from '../shared/metrics/metrics.module';
import { ProcessorCoreModule } from './processor.module';
import { ProcessorService } from './processor.service';

@Module({})
class ProcessorLambdaModule {
  static register(env: Env) {
    return {
      module: ProcessorLambdaModule,
      imports: [AppConfigModule.forRoot(env), LoggingModule, AwsModule, MetricsModule, ProcessorCoreModule],
    };
  }
}

let context: Promise<INestApplicationContext> | undefined;
const log = new NestLogger('ProcessorLambda');

/**
 * The container's application context, created on the first invocation and reused after it. Lambda
 * configures the function through its environment, validated here once; tests pass their own Env.
 */
export function processorContext(env?: Env): Promise<INestApplicationContext> {
  context ??= NestFactory.createApplicationContext(
    ProcessorLambdaModule.register(env ?? validateEnv(process.env)),
    {
      bufferLogs: true,
      abortOnError: false,
    },
  ).then(
    (app) => {
      app.useLogger(app.get(Logger));
      return app;
    },
    (err: unknown) => {
      // A failed boot must not poison the container: the next invocation tries again.
      context = undefined;
      throw err;
    },
  );
  return context;
}

/** Closes the cached context (tests; Lambda itself just freezes the container). */
export async function closeProcessorContext(): Promise<void> {
  const current = context;
  context = undefined;
  if (current) await (await current).close();
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const app = await processorContext();
  const results = await app.get(ProcessorService).processBatch(
    event.Records.map((r) => ({
      messageId: r.messageId,
      body: r.body,
      receiveCount: Number(r.attributes?.ApproximateReceiveCount ?? 1),
    })),
  );
  const failed = results.filter((r) => !r.ok);
  for (const r of failed) {
    const err = r.error as { code?: string; message?: string };
    log.warn(
      { op: 'process', message_id: r.messageId, code: err.code, err: err.message },
      'message not processed; SQS will redeliver or dead-letter it',
    );
  }
  return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
};
