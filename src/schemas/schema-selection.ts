// Which registered schema applies to an event. Pure: no I/O.
import type { SchemaEntry, SchemaVersion } from './schema-store';

/**
 * The schema an event is checked against: none when the pair is retired or has no versions; else the
 * newest version registered for the event's `schema_version`, if there is one; else the newest version.
 */
export function applicableSchema(
  entry: SchemaEntry | undefined,
  schemaVersion: string | undefined,
): SchemaVersion | undefined {
  if (!entry || entry.head.retired_at || entry.versions.length === 0) return undefined;
  const newestFirst = [...entry.versions].sort((a, b) => b.version - a.version);
  if (schemaVersion !== undefined) {
    const exact = newestFirst.find((v) => v.schema_version === schemaVersion);
    if (exact) return exact;
  }
  return newestFirst[0];
}
