// Compute and monitoring: the API service, the processor Lambda, dashboard and alarms. Holds no data,
// so it can be destroyed and redeployed freely; the data lives in StatefulStack.
import { Stack, StackProps } from 'aws-cdk-lib';
import type { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import type { Code } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { ApiService } from './api-service';
import { Monitoring } from './monitoring';
import { ProcessorFunction } from './processor-function';
import { retentionEnvironment, type Settings } from './settings';
import { importData } from './data-resources';

export interface StatelessStackProps extends StackProps {
  settings: Settings;
  /** The API image (the repo's Dockerfile). */
  apiImage: ContainerImage;
  /** The processor's code: a staged production install (scripts/stage-production.mjs). */
  processorCode: Code;
}

export class StatelessStack extends Stack {
  readonly api: ApiService;
  readonly processor: ProcessorFunction;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const data = importData(this, settings);
    const resources = {
      bucket: data.bucket,
      table: data.table,
      queue: data.queue,
      deadLetterQueue: data.deadLetterQueue,
    };

    this.processor = new ProcessorFunction(this, 'Processor', {
      ...resources,
      code: props.processorCode,
      maxConcurrency: settings.processorMaxConcurrency,
      retention: retentionEnvironment(settings),
    });
    this.api = new ApiService(this, 'Api', {
      ...resources,
      image: props.apiImage,
      logBucket: data.logBucket,
      settings,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      settings,
      queue: data.queue,
      deadLetterQueue: data.deadLetterQueue,
      processor: this.processor.fn,
      api: this.api.service,
    });
  }
}
