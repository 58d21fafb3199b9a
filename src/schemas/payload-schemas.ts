// The ingest path's view of the registered schemas: which schema applies to an event and whether its
// payload conforms. Each (source, type) entry is read from the store at most once per
// SCHEMAS_CACHE_TTL_MS (pairs with no schema too, so unschematised events cost no read), concurrent
// misses share one read, and compiled validators are kept per version (versions never change), so a
// cached check is a Map lookup and a compiled function call.
import { Injectable, Logger } from '@nestjs/common';
import { Env } from '../shared/config/env.config';
import type { FieldProblem } from '../shared/errors/app-error';
import { compileSchema, PayloadValidator } from './schema-compiler';
import { applicableSchema } from './schema-selection';
import { SchemaEntry, SchemaStore, SchemaVersion } from './schema-store';

/** What ingest knows of an event when it checks the payload. */
export interface SchemaSubject {
  source: string;
  type: string;
  schema_version?: string;
  payload: unknown;
}

interface Cached {
  expires: number;
  entry: Promise<SchemaEntry | undefined>;
}

const pairKey = (source: string, type: string): string => `${source}\u0000${type}`;

@Injectable()
export class PayloadSchemas {
  private readonly entries = new Map<string, Cached>();
  private readonly validators = new Map<string, PayloadValidator>();
  private readonly logger = new Logger(PayloadSchemas.name);

  constructor(
    private readonly store: SchemaStore,
    private readonly env: Env,
  ) {}

  /**
   * The problems of each event's payload against the schema that applies to it (undefined where it
   * conforms or no schema applies), in the events' order. Throws when the store cannot be read.
   */
  async violations(events: readonly SchemaSubject[]): Promise<(FieldProblem[] | undefined)[]> {
    const pairs = new Map<string, Promise<SchemaEntry | undefined>>();
    for (const e of events) {
      const key = pairKey(e.source, e.type);
      if (!pairs.has(key)) pairs.set(key, this.entry(e.source, e.type, key));
    }
    const loaded = new Map<string, SchemaEntry | undefined>();
    await Promise.all([...pairs].map(async ([key, entry]) => loaded.set(key, await entry)));
    return events.map((e) => {
      const schema = applicableSchema(loaded.get(pairKey(e.source, e.type)), e.schema_version);
      return schema ? this.validator(schema)(e.payload) : undefined;
    });
  }

  /** Forgets a pair, so this instance sees a change it made at once (others within the TTL). */
  forget(source: string, type: string): void {
    this.entries.delete(pairKey(source, type));
  }

  private entry(source: string, type: string, key: string): Promise<SchemaEntry | undefined> {
    const now = Date.now();
    const cached = this.entries.get(key);
    if (cached && cached.expires > now) return cached.entry;
    const entry = this.store.get(source, type);
    this.entries.set(key, { expires: now + this.env.SCHEMAS_CACHE_TTL_MS, entry });
    // A failed read is not cached: the next event asks again.
    entry.catch(() => {
      if (this.entries.get(key)?.entry === entry) this.entries.delete(key);
    });
    return entry;
  }

  private validator(schema: SchemaVersion): PayloadValidator {
    const key = `${pairKey(schema.source, schema.type)}\u0000${schema.version}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const compiled = compileSchema(schema.schema);
      // Every stored schema compiled when it was registered; one that no longer does (a newer ajv) is
      // not enforced rather than refusing every event of its pair.
      if (!compiled.ok) {
        this.logger.warn(
          { source: schema.source, type: schema.type, version: schema.version, problem: compiled.problem },
          'stored schema does not compile',
        );
      }
      validate = compiled.ok ? compiled.validate : () => undefined;
      this.validators.set(key, validate);
    }
    return validate;
  }
}
