// Deployment settings: CDK context values (`infra/cdk.json`, or `-c pipescope:<name>=<value>`),
// validated once so a wrong value stops the synth with its name instead of deploying something odd.
import { Env } from '../../src/shared/config/env.config';

export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface Settings {
  /** Prefix of the table and queue names (`<name>`, `<name>-replay`, `<name>-replay-dlq`). */
  name: string;
  region: string;
  /** Object Lock default retention of the bucket; undefined = no Object Lock. */
  objectLock?: { mode: ObjectLockMode; days: number };
  rejectedExpirationDays: number;
  lagP99ThresholdMs: number;
  rejectRatePercent: number;
  apiDesiredCount: number;
  apiMaxCount: number;
  processorMaxConcurrency: number;
  /** ACM certificate for an HTTPS listener; without one the load balancer listens on HTTP. */
  certificateArn?: string;
  alarmEmail?: string;
  /** Secrets Manager secret holding API_KEYS (`role:key` pairs); created before the first deploy. */
  apiKeysSecretName: string;
}

const defaults = new Env();

export const DEFAULT_SETTINGS: Settings = {
  name: 'pipescope',
  region: 'us-east-1',
  rejectedExpirationDays: 90,
  // An event later than the late threshold is "late" (docs/ingest.md): p99 past it means most of a
  // tail is late, worth a page.
  lagP99ThresholdMs: defaults.LATE_THRESHOLD_MS,
  rejectRatePercent: 5,
  apiDesiredCount: 2,
  apiMaxCount: 10,
  processorMaxConcurrency: 10,
  apiKeysSecretName: 'pipescope/api-keys',
};

export class SettingsError extends Error {}

/** Reads `pipescope:<key>` for every setting; `get` is `node.tryGetContext`. */
export function readSettings(get: (key: string) => unknown): Settings {
  const problems: string[] = [];
  const raw = (key: string): unknown => {
    const v = get(`pipescope:${key}`);
    return v === '' || v === null ? undefined : v;
  };
  const int = (key: keyof Settings, min: number, max: number): number => {
    const v = raw(key);
    if (v === undefined) return DEFAULT_SETTINGS[key] as number;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`pipescope:${key}=${JSON.stringify(v)}: an integer from ${min} to ${max}`);
      return DEFAULT_SETTINGS[key] as number;
    }
    return n;
  };
  const str = (key: keyof Settings, pattern: RegExp): string | undefined => {
    const v = raw(key);
    if (v === undefined) return DEFAULT_SETTINGS[key] as string | undefined;
    if (typeof v !== 'string' || !pattern.test(v)) {
      problems.push(`pipescope:${key}=${JSON.stringify(v)}: must match ${String(pattern)}`);
      return undefined;
    }
    return v;
  };

  const settings: Settings = {
    // Room for `-logs-<account>-<region>` within a bucket name's 63 characters.
    name: str('name', /^[a-z][a-z0-9-]{1,19}$/) ?? DEFAULT_SETTINGS.name,
    region: str('region', /^[a-z]{2}(-[a-z]+)+-\d$/) ?? DEFAULT_SETTINGS.region,
    rejectedExpirationDays: int('rejectedExpirationDays', 1, 3650),
    lagP99ThresholdMs: int('lagP99ThresholdMs', 1, 86_400_000),
    rejectRatePercent: int('rejectRatePercent', 1, 100),
    apiDesiredCount: int('apiDesiredCount', 1, 100),
    apiMaxCount: int('apiMaxCount', 1, 200),
    // SQS event source mappings accept 2..1000.
    processorMaxConcurrency: int('processorMaxConcurrency', 2, 1000),
    certificateArn: str('certificateArn', /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/),
    alarmEmail: str('alarmEmail', /^[^@\s]+@[^@\s]+\.[^@\s]+$/),
    apiKeysSecretName:
      str('apiKeysSecretName', /^[A-Za-z0-9/_+=.@-]{1,512}$/) ?? DEFAULT_SETTINGS.apiKeysSecretName,
  };
  const mode = raw('objectLockMode');
  if (mode !== undefined) {
    if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') {
      problems.push(`pipescope:objectLockMode=${JSON.stringify(mode)}: GOVERNANCE, COMPLIANCE or empty`);
    } else {
      const days = Number(raw('objectLockDays'));
      if (!Number.isInteger(days) || days < 1 || days > 36500) {
        problems.push(
          `pipescope:objectLockDays=${JSON.stringify(raw('objectLockDays'))}: 1 to 36500 with a mode`,
        );
      } else settings.objectLock = { mode, days };
    }
  }
  if (settings.apiMaxCount < settings.apiDesiredCount) {
    problems.push('pipescope:apiMaxCount: must be at least pipescope:apiDesiredCount');
  }
  if (problems.length > 0) throw new SettingsError(`Invalid infra settings:\n  ${problems.join('\n  ')}`);
  return settings;
}
