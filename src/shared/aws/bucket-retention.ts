// Puts the bucket's lifecycle configuration in the state the retention asks for: one expiration rule
// per prefix kept for a limited time (ids `pipescope-*`), leaving any rule with another id untouched,
// and refuses a raw retention shorter than the bucket's Object Lock default retention.
import {
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectLockConfigurationCommand,
  LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { LIFECYCLE_RULE_PREFIX, objectLockProblem, PrefixExpiry, Retention } from '../retention/retention';

export interface LifecycleReport {
  /** Ids of the pipescope rules now in force, or 'unsupported' when the S3 endpoint lacks lifecycle. */
  rules: string[] | 'unsupported';
  /** The bucket's Object Lock default retention in days, when it has one. */
  object_lock_days?: number;
}

const errorName = (err: unknown): string | undefined => (err as { name?: string })?.name;
const notImplemented = (err: unknown): boolean =>
  errorName(err) === 'NotImplemented' ||
  (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 501;

/** The SDK rule for one expiration; on a versioned bucket the expired versions are removed a day later. */
export function lifecycleRule(expiry: PrefixExpiry): LifecycleRule {
  return {
    ID: expiry.id,
    Status: 'Enabled',
    Filter: { Prefix: expiry.prefix },
    Expiration: { Days: expiry.days },
    NoncurrentVersionExpiration: { NoncurrentDays: 1 },
  };
}

/** Thrown when the retention contradicts the bucket's Object Lock: provisioning must stop. */
export class RetentionConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetentionConflictError';
  }
}

export async function applyBucketRetention(
  s3: S3Client,
  Bucket: string,
  retention: Retention,
  warnings: string[],
): Promise<LifecycleReport> {
  const lockDays = await objectLockDays(s3, Bucket, retention, warnings);
  const conflict = objectLockProblem(retention.daysOf('raw'), lockDays);
  if (conflict) throw new RetentionConflictError(conflict);
  const lock = lockDays === undefined ? {} : { object_lock_days: lockDays };

  let existing: LifecycleRule[];
  try {
    existing = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules ?? [];
  } catch (err) {
    if (notImplemented(err)) {
      warnings.push('lifecycle rules not applied: the S3 endpoint does not implement them');
      return { rules: 'unsupported', ...lock };
    }
    if (errorName(err) !== 'NoSuchLifecycleConfiguration') throw err;
    existing = [];
  }
  const others = existing.filter((r) => !r.ID?.startsWith(LIFECYCLE_RULE_PREFIX));
  const ours = retention.prefixExpiries().map(lifecycleRule);
  if (ours.length === 0 && others.length === existing.length) return { rules: [], ...lock };
  if (ours.length === 0 && others.length === 0) {
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket }));
  } else {
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket,
        LifecycleConfiguration: { Rules: [...others, ...ours] },
      }),
    );
  }
  return { rules: ours.map((r) => r.ID!), ...lock };
}

/** The default retention of the bucket's Object Lock in days, or undefined without one. */
async function objectLockDays(
  s3: S3Client,
  Bucket: string,
  retention: Retention,
  warnings: string[],
): Promise<number | undefined> {
  try {
    const out = await s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
    const config = out.ObjectLockConfiguration;
    if (config?.ObjectLockEnabled !== 'Enabled') return undefined;
    const d = config.Rule?.DefaultRetention;
    if (d?.Days) return d.Days;
    if (d?.Years) return d.Years * 365;
    return undefined;
  } catch (err) {
    if (errorName(err) === 'ObjectLockConfigurationNotFoundError') return undefined;
    if (notImplemented(err)) {
      if (retention.daysOf('raw') !== undefined) {
        warnings.push('Object Lock not checked: the S3 endpoint does not implement it');
      }
      return undefined;
    }
    throw err;
  }
}
