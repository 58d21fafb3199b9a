import { validateSync } from 'class-validator';
import { IsDateTime, IsEntityId, unrealDateTime } from './event-fields';

class Probe {
  @IsDateTime() at!: string;
  @IsEntityId() entity_id!: string;
}

const OUT_OF_RANGE =
  'must fall between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z once converted to UTC';

const problems = (at: unknown, entity: unknown = 'e-1'): string[] =>
  validateSync(Object.assign(new Probe(), { at, entity_id: entity })).flatMap((e) =>
    Object.values(e.constraints ?? {}),
  );

describe('event field rules', () => {
  it.each([
    ['2026-02-31T00:00:00Z', 'is not a real date-time'],
    ['2026-02-29T10:00:00Z', 'is not a real date-time'],
    ['2026-04-31T10:00:00+02:00', 'is not a real date-time'],
    ['1900-02-29T00:00:00Z', 'is not a real date-time'],
    ['2026-01-01T23:59:60Z', 'is not a real date-time'],
    ['0000-01-01T00:30:00+01:00', OUT_OF_RANGE],
    ['9999-12-31T23:30:00-01:00', OUT_OF_RANGE],
  ])('refuses %s: %s', (value, why) => {
    expect(unrealDateTime(value)).toBe(why);
    expect(problems(value)).toEqual([`at ${why}`]);
  });

  it.each([
    '2024-02-29T10:00:00Z',
    '2000-02-29T00:00:00Z',
    '0000-02-29T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999999999Z',
    '2026-12-31T23:30:00-01:00',
    '2026-06-30t12:00:00.5z',
  ])('accepts the real instant %s', (value) => {
    expect(unrealDateTime(value)).toBeUndefined();
    expect(problems(value)).toEqual([]);
  });

  it.each(['2026-01-01', '2026-01-01T10:00:00', '2026-13-01T00:00:00Z', 'yesterday', 42])(
    'refuses %p as not RFC 3339 with an offset',
    (value) => {
      expect(problems(value)).toEqual(['at must be an RFC 3339 date-time with an offset']);
    },
  );

  it('counts entity_id in characters, not UTF-16 units, and refuses what keys cannot carry', () => {
    expect(problems('2026-01-01T00:00:00Z', '😀'.repeat(256))).toEqual([]);
    expect(problems('2026-01-01T00:00:00Z', '😀'.repeat(257))).toHaveLength(1);
    for (const bad of ['a\u0000b', 'a\uD800b', 'a\uFFFEb']) {
      expect(problems('2026-01-01T00:00:00Z', bad)).toEqual([
        'entity_id must contain printable characters only (no control characters, unpaired surrogates or noncharacters)',
      ]);
    }
  });
});
