import { DEFAULT_SETTINGS, readSettings, SettingsError } from '../lib/settings';

const from = (context: Record<string, unknown>) => readSettings((key) => context[key]);

describe('infra settings', () => {
  it('defaults every setting, Object Lock off', () => {
    expect(from({})).toEqual(DEFAULT_SETTINGS);
    expect(from({ 'pipescope:objectLockMode': '' }).objectLock).toBeUndefined();
  });

  it('reads Object Lock mode and days together', () => {
    expect(
      from({ 'pipescope:objectLockMode': 'COMPLIANCE', 'pipescope:objectLockDays': '365' }).objectLock,
    ).toEqual({
      mode: 'COMPLIANCE',
      days: 365,
    });
  });

  it.each([
    [{ 'pipescope:objectLockMode': 'STRICT' }, /objectLockMode="STRICT"/],
    [{ 'pipescope:objectLockMode': 'GOVERNANCE' }, /objectLockDays/],
    [{ 'pipescope:processorMaxConcurrency': 1 }, /processorMaxConcurrency=1: an integer from 2 to 1000/],
    [{ 'pipescope:name': 'Pipe_Scope' }, /pipescope:name="Pipe_Scope"/],
    [{ 'pipescope:apiDesiredCount': 5, 'pipescope:apiMaxCount': 3 }, /apiMaxCount: must be at least/],
    [{ 'pipescope:certificateArn': 'arn:aws:iam::1:cert' }, /certificateArn/],
  ])('refuses %o, naming the setting', (context, message) => {
    expect(() => from(context)).toThrow(SettingsError);
    expect(() => from(context)).toThrow(message);
  });
});
