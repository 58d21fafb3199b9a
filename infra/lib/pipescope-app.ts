// The two stacks wired together, with cdk-nag's AwsSolutions checks on both. bin/pipescope.ts builds
// this with the real image and code assets; the tests build it with a placeholder Lambda asset.
import { App, Validations } from 'aws-cdk-lib';
import type { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import type { Code } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings, Settings } from './settings';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export interface PipescopeStacks {
  settings: Settings;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

export function buildPipescope(
  app: App,
  assets: { apiImage: ContainerImage; processorCode: Code },
): PipescopeStacks {
  const settings = readSettings((key) => app.node.tryGetContext(key));
  // Region fixed, account left to the deploying credentials: no context lookups, so synth needs no
  // AWS account and no network (availability zones come from Fn::GetAZs at deploy time).
  const env = { region: settings.region };
  const stateful = new StatefulStack(app, `${pascal(settings.name)}Data`, {
    env,
    settings,
    description:
      'pipescope data: S3 bucket, DynamoDB table, replay queue and dead-letter queue (kept on delete)',
    terminationProtection: true,
  });
  const stateless = new StatelessStack(app, `${pascal(settings.name)}Service`, {
    env,
    settings,
    ...assets,
    description:
      'pipescope compute: API on ECS Fargate behind an ALB, processor Lambda, dashboard and alarms',
  });
  // cdk-nag 3: a policy-validation plugin; synth fails on any finding not acknowledged with a reason.
  // Imports the data by name: deploy the data first.
  stateless.addStackDependency(stateful);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { settings, stateful, stateless };
}

const pascal = (name: string): string =>
  name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
