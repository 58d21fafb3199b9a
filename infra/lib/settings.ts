// Deployment settings: CDK context values (`infra/cdk.json`, or `-c pipescope:<name>=<value>`),
// validated once so a wrong value stops the synth with its name instead of deploying something odd.
import { ConfigError, Env, validateEnv } from '../../src/shared/config/env.config';
import { objectLockProblem, Retention } from '../../src/shared/retention/retention';

export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface Settings {
  /** Prefix of the table and queue names (`<name>`, `<name>-replay`, `<name>-replay-dlq`). */
  name: string;
  region: string;
  /** Object Lock default retention of the bucket; undefined = no Object Lock. */
  objectLock?: { mode: ObjectLockMode; days: number };
  /** Days each kind is kept, 0 = forever: the app's RETENTION_* variables (docs/operations.md). */
  retentionEventsDays: number;
  retentionRawDays: number;
  retentionAttemptsDays: number;
  retentionRejectedDays: number;
  retentionReplayManifestsDays: number;
  retentionLineageDays: number;
  retentionDoneMarkersDays: number;
  retentionReconcileDays: number;
  /** First day (yyyy-MM-dd) the Athena tables over raw/ project partitions for (docs/athena.md). */
  athenaFirstDay: string;
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
  retentionEventsDays: defaults.RETENTION_EVENTS_DAYS,
  retentionRawDays: defaults.RETENTION_RAW_DAYS,
  retentionAttemptsDays: defaults.RETENTION_ATTEMPTS_DAYS,
  retentionRejectedDays: defaults.RETENTION_REJECTED_DAYS,
  retentionReplayManifestsDays: defaults.RETENTION_REPLAY_MANIFESTS_DAYS,
  retentionLineageDays: defaults.RETENTION_LINEAGE_DAYS,
  retentionDoneMarkersDays: defaults.RETENTION_DONE_MARKERS_DAYS,
  retentionReconcileDays: defaults.RETENTION_RECONCILE_DAYS,
  athenaFirstDay: '2025-01-01',
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
    retentionEventsDays: int('retentionEventsDays', 0, 36500),
    retentionRawDays: int('retentionRawDays', 0, 36500),
    retentionAttemptsDays: int('retentionAttemptsDays', 0, 36500),
    retentionRejectedDays: int('retentionRejectedDays', 0, 36500),
    retentionReplayManifestsDays: int('retentionReplayManifestsDays', 0, 36500),
    retentionLineageDays: int('retentionLineageDays', 0, 36500),
    retentionDoneMarkersDays: int('retentionDoneMarkersDays', 0, 36500),
    retentionReconcileDays: int('retentionReconcileDays', 0, 36500),
    athenaFirstDay:
      str('athenaFirstDay', /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/) ??
      DEFAULT_SETTINGS.athenaFirstDay,
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
  problems.push(...retentionSettingProblems(settings));
  if (settings.apiMaxCount < settings.apiDesiredCount) {
    problems.push('pipescope:apiMaxCount: must be at least pipescope:apiDesiredCount');
  }
  if (problems.length > 0) throw new SettingsError(`Invalid infra settings:\n  ${problems.join('\n  ')}`);
  return settings;
}

/** The RETENTION_* variables the app's containers and the processor get: TTLs match the lifecycle rules. */
export function retentionEnvironment(s: Settings): Record<string, string> {
  return {
    RETENTION_EVENTS_DAYS: String(s.retentionEventsDays),
    RETENTION_RAW_DAYS: String(s.retentionRawDays),
    RETENTION_ATTEMPTS_DAYS: String(s.retentionAttemptsDays),
    RETENTION_REJECTED_DAYS: String(s.retentionRejectedDays),
    RETENTION_REPLAY_MANIFESTS_DAYS: String(s.retentionReplayManifestsDays),
    RETENTION_LINEAGE_DAYS: String(s.retentionLineageDays),
    RETENTION_DONE_MARKERS_DAYS: String(s.retentionDoneMarkersDays),
    RETENTION_RECONCILE_DAYS: String(s.retentionReconcileDays),
  };
}

/** The retention the settings ask for, as the app computes it from the same variables. */
export function retentionOf(s: Settings): Retention {
  return Retention.fromEnv(validateEnv(retentionEnvironment(s)));
}

/** What the app would refuse at boot (raw kept shorter than the index, short DONE markers), and a lock. */
function retentionSettingProblems(s: Settings): string[] {
  const problems: string[] = [];
  try {
    validateEnv(retentionEnvironment(s));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems.map((p) => `pipescope:retention*: ${p}`));
  }
  const locked = objectLockProblem(s.retentionRawDays || undefined, s.objectLock?.days);
  if (locked) problems.push(`pipescope:retentionRawDays: ${locked}`);
  return problems;
}
