// The answers of the schema routes as the OpenAPI document describes them; each class implements the
// type the code returns, so a field added there without a line here does not compile.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DATE_TIME } from '../shared/openapi/schema-fields';
import type { SchemaVersion } from './schema-store';
import type { SchemasService, SchemaSummary as SchemaSummaryType } from './schemas.service';

type Answer<M extends keyof SchemasService> = SchemasService[M] extends (...args: never[]) => Promise<infer R>
  ? R
  : never;

const VERSION = { type: 'integer' as const, minimum: 1, description: '1, 2, 3… per (source, type)' };

/** A version as listed: everything but the schema itself. */
export class SchemaVersionListed implements Omit<SchemaVersion, 'schema'> {
  @ApiProperty({ example: 'orders-svc' }) source!: string;
  @ApiProperty({ example: 'order.created' }) type!: string;
  @ApiProperty(VERSION) version!: number;
  @ApiPropertyOptional({ description: 'the event schema_version it is for; absent: any' })
  schema_version?: string;
  @ApiProperty(DATE_TIME) created_at!: string;
  @ApiProperty({ description: 'the key label that registered it' }) created_by!: string;
}

export class SchemaVersionView extends SchemaVersionListed implements SchemaVersion {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'the JSON Schema (draft 2020-12)',
    example: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } },
  })
  schema!: Record<string, unknown>;
}

export class SchemaSummary implements SchemaSummaryType {
  @ApiProperty() source!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ ...VERSION, description: 'the newest version' }) latest!: number;
  @ApiProperty({ enum: ['active', 'retired'] }) status!: 'active' | 'retired';
  @ApiProperty(DATE_TIME) updated_at!: string;
  @ApiPropertyOptional(DATE_TIME) retired_at?: string;
  @ApiPropertyOptional() retired_by?: string;
}

export class SchemaList implements Answer<'list'> {
  @ApiProperty({ type: [SchemaSummary], description: 'by source and type' }) items!: SchemaSummary[];
}

export class SchemaPair implements Answer<'get'> {
  @ApiProperty() source!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ type: SchemaVersionView, description: 'the newest version, schema included' })
  latest!: SchemaVersionView;
  @ApiProperty({ enum: ['active', 'retired'] }) status!: 'active' | 'retired';
  @ApiProperty(DATE_TIME) updated_at!: string;
  @ApiPropertyOptional(DATE_TIME) retired_at?: string;
  @ApiPropertyOptional() retired_by?: string;
  @ApiProperty({ type: [SchemaVersionListed], description: 'every version, newest first' })
  versions!: SchemaVersionListed[];
}
