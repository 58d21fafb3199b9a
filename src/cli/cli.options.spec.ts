import { InvalidArgumentError } from 'commander';
import { int, time } from './cli.options';

describe('CLI argument parsers', () => {
  it('reads ages relative to now and keeps RFC 3339 times as given', () => {
    const now = Date.parse('2026-11-25T12:00:00.000Z');
    expect(time('30m', now)).toBe('2026-11-25T11:30:00.000Z');
    expect(time('2h', now)).toBe('2026-11-25T10:00:00.000Z');
    expect(time('7d', now)).toBe('2026-11-18T12:00:00.000Z');
    expect(time('2026-11-25T04:00:00+02:00', now)).toBe('2026-11-25T04:00:00+02:00');
  });

  it('refuses times without an offset and nonsense', () => {
    for (const bad of ['2026-11-25T04:00:00', 'yesterday', '2h30m', '2026-13-45T00:00:00Z'])
      expect(() => time(bad)).toThrow(InvalidArgumentError);
  });

  it('takes integers in range only', () => {
    expect(int(1, 500)('500')).toBe(500);
    for (const bad of ['0', '501', '1.5', 'x', ''])
      expect(() => int(1, 500)(bad)).toThrow('an integer from 1 to 500');
  });
});
