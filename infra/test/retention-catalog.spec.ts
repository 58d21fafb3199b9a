// Retention and the Athena catalog in the data stack: the lifecycle rules are the ones the provisioner
// puts (same Retention, same ids), the settings refuse what the app would refuse at boot, and the Glue
// tables read the raw layout ingest writes with partition projection.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { lifecycleRule } from '../../src/shared/aws/bucket-retention';
import { batchRawKey, singleRawKey } from '../../src/ingest/raw-keys';
import { OBJECT_PREFIXES } from '../../src/shared/retention/retention';
import { PREFIX } from '../lib/permissions';
import { RAW_BATCHES_TABLE, RAW_EVENTS_TABLE } from '../lib/raw-catalog';
import { readSettings, retentionEnvironment, retentionOf, SettingsError } from '../lib/settings';
import { StatefulStack } from '../lib/stateful-stack';
import { one, Resource } from './template-helpers';

const settingsOf = (context: Record<string, unknown>) => readSettings((key) => context[key]);

const synth = (context: Record<string, unknown> = {}): Template => {
  const app = new App({ builtinCloudFormationValidation: false, context });
  const settings = readSettings((key) => app.node.tryGetContext(key));
  return Template.fromStack(
    new StatefulStack(app, 'PipescopeData', { settings, env: { region: settings.region } }),
  );
};

type Rule = { Id: string; Prefix?: string; ExpirationInDays?: number; NoncurrentVersionExpiration?: unknown };
const rulesOf = (t: Template): Rule[] =>
  (
    one(t, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } }).Properties
      .LifecycleConfiguration as { Rules: Rule[] }
  ).Rules;

describe('retention in the data stack', () => {
  it('expires by default what the app expires by default, keeping raw/ and lineage/ forever', () => {
    const rules = rulesOf(synth());
    expect(rules.map((r) => r.Id).sort()).toEqual([
      'abort-incomplete-uploads',
      'pipescope-rejected',
      'pipescope-replay-manifests',
    ]);
    expect(rules).toContainEqual(
      expect.objectContaining({ Id: 'pipescope-replay-manifests', Prefix: 'replays/', ExpirationInDays: 90 }),
    );
  });

  it('puts the same rules the provisioner puts, from the same settings', () => {
    const context = {
      'pipescope:retentionEventsDays': 400,
      'pipescope:retentionRawDays': 730,
      'pipescope:retentionLineageDays': 365,
      'pipescope:retentionRejectedDays': 30,
    };
    const provisioner = retentionOf(settingsOf(context)).prefixExpiries().map(lifecycleRule);
    const stack = rulesOf(synth(context)).filter((r) => r.Id.startsWith('pipescope-'));
    expect(stack).toEqual(
      provisioner.map((r) => ({
        Id: r.ID,
        Prefix: r.Filter?.Prefix,
        ExpirationInDays: r.Expiration?.Days,
        NoncurrentVersionExpiration: { NoncurrentDays: r.NoncurrentVersionExpiration?.NoncurrentDays },
        Status: 'Enabled',
      })),
    );
    expect(stack.map((r) => r.Id)).toContain('pipescope-raw');
  });

  it('hands the app the same RETENTION_* variables', () => {
    expect(retentionEnvironment(settingsOf({ 'pipescope:retentionAttemptsDays': 7 }))).toMatchObject({
      RETENTION_ATTEMPTS_DAYS: '7',
      RETENTION_EVENTS_DAYS: '0',
      RETENTION_DONE_MARKERS_DAYS: '15',
    });
  });

  it.each([
    [{ 'pipescope:retentionRawDays': 365 }, /RETENTION_RAW_DAYS=365/],
    [{ 'pipescope:retentionDoneMarkersDays': 3 }, /RETENTION_DONE_MARKERS_DAYS=3/],
    [
      {
        'pipescope:retentionRawDays': 30,
        'pipescope:retentionEventsDays': 30,
        'pipescope:objectLockMode': 'COMPLIANCE',
        'pipescope:objectLockDays': 365,
      },
      /retentionRawDays: .*Object Lock/,
    ],
    [{ 'pipescope:athenaFirstDay': '2025-13-01' }, /athenaFirstDay/],
  ])('refuses %o as the app would', (context, message) => {
    expect(() => settingsOf(context)).toThrow(SettingsError);
    expect(() => settingsOf(context)).toThrow(message);
  });

  it('names the same prefixes as the grants', () => {
    expect(OBJECT_PREFIXES).toEqual({
      raw: PREFIX.raw,
      rejected: PREFIX.rejected,
      replay_manifests: PREFIX.replays,
      lineage: PREFIX.lineage,
    });
  });
});

describe('the Athena catalog over raw/', () => {
  let data: Template;
  beforeAll(() => {
    data = synth({ 'pipescope:athenaFirstDay': '2025-06-01' });
  });

  const tableNamed = (name: string) =>
    (Object.values(data.findResources('AWS::Glue::Table')) as Resource[]).find(
      (t) => (t.Properties.TableInput as { Name: string }).Name === name,
    )!.Properties as { DatabaseName: string; TableInput: Record<string, never> };

  /** The location template with the bucket name's token replaced, and the partition pattern it fills. */
  const template = (name: string): RegExp => {
    const joined = JSON.stringify(tableNamed(name).TableInput.Parameters['storage.location.template']);
    const parts = (JSON.parse(joined) as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const text = parts.map((p) => (typeof p === 'string' ? p : 'BUCKET')).join('');
    const pattern = text
      .replace(/[.*+?^()|[\]\\]/g, '\\$&')
      .replace('${source}', '([a-z0-9._-]+)')
      .replace('${day}', '(\\d{4}-\\d{2}-\\d{2})')
      .replace('${hour}', '(\\d{2})');
    return new RegExp(`^${pattern}[^/]+$`);
  };

  it('defines one database and the two tables with partition projection', () => {
    expect(Object.keys(data.findResources('AWS::Glue::Database'))).toHaveLength(1);
    const events = tableNamed(RAW_EVENTS_TABLE);
    expect(events.DatabaseName).toBe('pipescope');
    expect(events.TableInput.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.source.type': 'injected',
      'projection.day.type': 'date',
      'projection.day.range': '2025-06-01,NOW',
      'projection.hour.type': 'integer',
      'projection.hour.digits': '2',
    });
    expect(events.TableInput.PartitionKeys).toEqual([
      { Name: 'source', Type: 'string' },
      { Name: 'day', Type: 'string' },
      { Name: 'hour', Type: 'int' },
    ]);
    const batches = tableNamed(RAW_BATCHES_TABLE);
    expect(batches.TableInput.PartitionKeys).toEqual([
      { Name: 'day', Type: 'string' },
      { Name: 'hour', Type: 'int' },
    ]);
    expect(JSON.stringify(batches.TableInput.StorageDescriptor)).toContain(
      'org.openx.data.jsonserde.JsonSerDe',
    );
  });

  it('projects the very keys ingest writes', () => {
    const single = `s3://BUCKET/${singleRawKey('orders-svc', '2026-05-01T08:30:00.000Z', 'a'.repeat(32), Buffer.from('{}'))}`;
    expect(template(RAW_EVENTS_TABLE).exec(single)?.slice(1)).toEqual(['orders-svc', '2026-05-01', '08']);
    const batch = `s3://BUCKET/${batchRawKey('2026-05-01T10:00:05.000Z', Buffer.from('{}'))}`;
    expect(template(RAW_BATCHES_TABLE).exec(batch)?.slice(1)).toEqual(['2026-05-01', '10']);
    expect(template(RAW_BATCHES_TABLE).test(single)).toBe(false);
  });
});
