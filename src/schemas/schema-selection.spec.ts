import { applicableSchema } from './schema-selection';
import type { SchemaEntry, SchemaVersion } from './schema-store';

const version = (n: number, schemaVersion?: string): SchemaVersion => ({
  source: 'shop',
  type: 'order.created',
  version: n,
  ...(schemaVersion ? { schema_version: schemaVersion } : {}),
  schema: { type: 'object', title: `v${n}` },
  created_at: '2026-01-01T00:00:00.000Z',
  created_by: 'operator',
});

const entry = (versions: SchemaVersion[], retired = false): SchemaEntry => ({
  head: {
    source: 'shop',
    type: 'order.created',
    latest: versions.length,
    updated_at: '2026-01-01T00:00:00.000Z',
    ...(retired ? { retired_at: '2026-01-02T00:00:00.000Z' } : {}),
  },
  versions,
});

describe('applicableSchema', () => {
  const versions = [version(1, '1'), version(2, '2'), version(3, '1'), version(4)];

  it('takes the newest version registered for the event’s schema_version', () => {
    expect(applicableSchema(entry(versions), '1')?.version).toBe(3);
    expect(applicableSchema(entry(versions), '2')?.version).toBe(2);
  });

  it('falls back to the newest version when the schema_version is not registered or not given', () => {
    expect(applicableSchema(entry(versions), '9')?.version).toBe(4);
    expect(applicableSchema(entry(versions), undefined)?.version).toBe(4);
  });

  it('does not depend on the order versions are read in', () => {
    expect(applicableSchema(entry([...versions].reverse()), undefined)?.version).toBe(4);
  });

  it('applies no schema to a pair never registered, without versions, or retired', () => {
    expect(applicableSchema(undefined, '1')).toBeUndefined();
    expect(applicableSchema(entry([]), undefined)).toBeUndefined();
    expect(applicableSchema(entry(versions, true), '1')).toBeUndefined();
  });
});
