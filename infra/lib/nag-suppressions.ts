// The cdk-nag (AwsSolutions) findings pipescope accepts, each with its reason. Everything else fails
// the synth. Wildcard-resource findings are acknowledged one by one, computed from the grant lists, so a
// new wildcard anywhere else still fails.
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';
import { arnsOf, Grant, GrantResources } from './permissions';

/** The cdk-nag finding id of a wildcard resource in a policy, as cdk-nag spells it. */
export function wildcardFindingId(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(arn))}]`;
}

/** Acknowledges the wildcard resources the grants need: S3 object prefixes and `index/*`. */
export function acknowledgeGrantWildcards(
  policyOwner: IConstruct,
  grants: Grant[],
  resources: GrantResources,
): void {
  const arns = new Set(grants.flatMap((g) => g.on.flatMap((t) => arnsOf(t, resources))));
  for (const arn of arns) {
    const resolved = flattenCfnReference(Stack.of(policyOwner).resolve(arn));
    if (!resolved.includes('*')) continue;
    Validations.of(policyOwner).acknowledge({
      id: wildcardFindingId(policyOwner, arn),
      reason: resolved.includes('/index/')
        ? 'Query on the indexes the code reads (docs/data-model.md); index names are fixed by the table.'
        : 'Objects under one key prefix of the data bucket, the narrowest grant S3 offers for keys made at run time.',
    });
  }
}
