// Registering, reading and retiring payload schemas. A schema is compiled (ajv, strict) before it is
// stored, so only schemas ingest can enforce are kept.
import { Injectable } from '@nestjs/common';
import { AppError, validationError } from '../shared/errors/app-error';
import { PayloadSchemas } from './payload-schemas';
import { compileSchema } from './schema-compiler';
import { SchemaHead, SchemaStore, SchemaVersion } from './schema-store';

/** Largest schema accepted, as JSON text (a DynamoDB item holds 400 KB). */
export const MAX_SCHEMA_BYTES = 64 * 1024;

export interface SchemaSummary {
  source: string;
  type: string;
  latest: number;
  status: 'active' | 'retired';
  updated_at: string;
  retired_at?: string;
  retired_by?: string;
}

const summaryOf = (head: SchemaHead): SchemaSummary => ({
  ...head,
  status: head.retired_at ? 'retired' : 'active',
});

const listed = ({ schema: _schema, ...version }: SchemaVersion): Omit<SchemaVersion, 'schema'> => version;

@Injectable()
export class SchemasService {
  constructor(
    private readonly store: SchemaStore,
    private readonly cache: PayloadSchemas,
  ) {}

  async register(
    source: string,
    type: string,
    schema: unknown,
    schemaVersion: string | undefined,
    by: string,
  ): Promise<SchemaVersion> {
    const bytes = Buffer.byteLength(JSON.stringify(schema) ?? '');
    if (bytes > MAX_SCHEMA_BYTES) {
      throw validationError('SCHEMA.INVALID', [
        { field: '(body)', message: `the schema is ${bytes} bytes; at most ${MAX_SCHEMA_BYTES} are allowed` },
      ]);
    }
    const compiled = compileSchema(schema);
    if (!compiled.ok)
      throw validationError('SCHEMA.INVALID', [{ field: '(body)', message: compiled.problem }]);
    const stored = await this.store.register({
      source,
      type,
      ...(schemaVersion !== undefined ? { schema_version: schemaVersion } : {}),
      schema: schema as Record<string, unknown>,
      created_at: new Date().toISOString(),
      created_by: by,
    });
    this.cache.forget(source, type);
    return stored;
  }

  async list(): Promise<{ items: SchemaSummary[] }> {
    const heads = await this.store.heads();
    return { items: heads.map(summaryOf) };
  }

  /** The pair's status, its latest version in full and every version without its schema, newest first. */
  async get(source: string, type: string) {
    const entry = await this.store.get(source, type);
    if (!entry) throw notFound(source, type);
    const newestFirst = [...entry.versions].sort((a, b) => b.version - a.version);
    return { ...summaryOf(entry.head), latest: newestFirst[0], versions: newestFirst.map(listed) };
  }

  async retire(source: string, type: string, by: string): Promise<SchemaSummary> {
    if (!(await this.store.retire(source, type, new Date().toISOString(), by))) throw notFound(source, type);
    this.cache.forget(source, type);
    const entry = await this.store.get(source, type);
    return summaryOf(entry!.head);
  }
}

const notFound = (source: string, type: string): AppError =>
  new AppError('SCHEMA.NOT_FOUND', `no schema is registered for source ${source} and type ${type}`);
