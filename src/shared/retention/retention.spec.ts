import { validateEnv } from '../config/env.config';
import { objectLockProblem, Retention, retentionProblems } from './retention';
import { lifecycleRule } from '../aws/bucket-retention';

const DAY_S = 86_400;

describe('Retention', () => {
  it('keeps raw events and event items forever by default, and expires the operational kinds', () => {
    const r = Retention.fromEnv(validateEnv({}));
    expect(r.daysOf('raw')).toBeUndefined();
    expect(r.daysOf('events')).toBeUndefined();
    expect(r.daysOf('lineage')).toBeUndefined();
    expect(r.daysOf('attempts')).toBe(90);
    expect(r.daysOf('rejected')).toBe(90);
    expect(r.daysOf('replay_manifests')).toBe(90);
    expect(r.daysOf('done_markers')).toBe(15);
    expect(r.daysOf('reconcile')).toBe(90);
  });

  it('sets expires_at in epoch seconds from the item time, and nothing for a kind kept forever', () => {
    const r = new Retention({ attempts: 2, events: 0 });
    expect(r.ttl('attempts', '2026-01-01T00:00:00.000Z')).toEqual({
      expires_at: Date.parse('2026-01-01T00:00:00.000Z') / 1000 + 2 * DAY_S,
    });
    expect(r.ttl('attempts', 1_000_999)).toEqual({ expires_at: 1000 + 2 * DAY_S });
    expect(r.ttl('events', '2026-01-01T00:00:00.000Z')).toEqual({});
    expect(r.ttl('rejected', '2026-01-01T00:00:00.000Z')).toEqual({});
  });

  it('says whether an item is past its retention', () => {
    const r = new Retention({ events: 1 });
    const from = Date.parse('2026-01-01T00:00:00.000Z');
    expect(r.expired('events', from, from + DAY_S * 1000 - 1)).toBe(false);
    expect(r.expired('events', from, from + DAY_S * 1000)).toBe(true);
    expect(Retention.forever().expired('events', 0, Date.now())).toBe(false);
  });

  it('asks for one lifecycle expiration per S3 prefix with a retention', () => {
    const r = new Retention({ rejected: 30, replay_manifests: 7, lineage: 0, raw: 400 });
    expect(r.prefixExpiries()).toEqual([
      { id: 'pipescope-raw', prefix: 'raw/', days: 400 },
      { id: 'pipescope-rejected', prefix: 'rejected/', days: 30 },
      { id: 'pipescope-replay-manifests', prefix: 'replays/', days: 7 },
    ]);
    expect(Retention.forever().prefixExpiries()).toEqual([]);
  });

  it('builds a lifecycle rule that also removes expired versions on a versioned bucket', () => {
    expect(lifecycleRule({ id: 'pipescope-lineage', prefix: 'lineage/', days: 365 })).toEqual({
      ID: 'pipescope-lineage',
      Status: 'Enabled',
      Filter: { Prefix: 'lineage/' },
      Expiration: { Days: 365 },
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    });
  });
});

describe('retention settings that break a promise', () => {
  it('refuses a raw retention while the index keeps events longer (or forever)', () => {
    expect(() => validateEnv({ RETENTION_RAW_DAYS: '365' })).toThrow(/RETENTION_RAW_DAYS=365/);
    expect(() => validateEnv({ RETENTION_RAW_DAYS: '365', RETENTION_EVENTS_DAYS: '400' })).toThrow(
      /RETENTION_EVENTS_DAYS/,
    );
    expect(validateEnv({ RETENTION_RAW_DAYS: '365', RETENTION_EVENTS_DAYS: '365' }).RETENTION_RAW_DAYS).toBe(
      365,
    );
  });

  it('refuses DONE markers that could expire before SQS stops redelivering', () => {
    expect(retentionProblems(validateEnv({ RETENTION_DONE_MARKERS_DAYS: '0' }))).toEqual([]);
    expect(() => validateEnv({ RETENTION_DONE_MARKERS_DAYS: '7' })).toThrow(/RETENTION_DONE_MARKERS_DAYS=7/);
  });

  it('refuses negative or non-numeric days', () => {
    expect(() => validateEnv({ RETENTION_ATTEMPTS_DAYS: '-1' })).toThrow(/RETENTION_ATTEMPTS_DAYS/);
    expect(() => validateEnv({ RETENTION_LINEAGE_DAYS: 'year' })).toThrow(/RETENTION_LINEAGE_DAYS/);
  });

  it('refuses a raw retention shorter than the Object Lock, and accepts one at least as long', () => {
    expect(objectLockProblem(30, 365)).toMatch(/at least 365/);
    expect(objectLockProblem(365, 365)).toBeUndefined();
    expect(objectLockProblem(undefined, 365)).toBeUndefined();
    expect(objectLockProblem(30, undefined)).toBeUndefined();
  });
});
