// Port for registered payload schemas: per (source, type), every version ever registered (immutable)
// and the pair's head (its latest version number and whether it is retired).
export interface SchemaVersion {
  source: string;
  type: string;
  /** 1, 2, 3... per (source, type), in registration order. */
  version: number;
  /** The event `schema_version` this schema is registered for; absent = any. */
  schema_version?: string;
  schema: Record<string, unknown>;
  created_at: string;
  created_by: string;
}

export interface SchemaHead {
  source: string;
  type: string;
  latest: number;
  updated_at: string;
  retired_at?: string;
  retired_by?: string;
}

/** A pair as stored: its head and every version, oldest first. */
export interface SchemaEntry {
  head: SchemaHead;
  versions: SchemaVersion[];
}

export abstract class SchemaStore {
  /** Stores the next version of the pair and un-retires it; the version as stored. */
  abstract register(entry: Omit<SchemaVersion, 'version'>): Promise<SchemaVersion>;
  /** The pair's head and versions (one Query), or undefined if never registered. */
  abstract get(source: string, type: string): Promise<SchemaEntry | undefined>;
  /** Every pair's head, ordered by source then type. */
  abstract heads(): Promise<SchemaHead[]>;
  /** Marks the pair retired; false if it was never registered. */
  abstract retire(source: string, type: string, at: string, by: string): Promise<boolean>;
}
