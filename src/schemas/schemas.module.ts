// Owns /schemas: JSON Schemas per (source, type) and the PayloadSchemas check ingest runs on payloads.
import { Module } from '@nestjs/common';
import { DynamoTable } from '../shared/aws/dynamo-table';
import { DynamoSchemaStore } from './dynamo-schema-store';
import { PayloadSchemas } from './payload-schemas';
import { SchemaStore } from './schema-store';
import { SchemasController } from './schemas.controller';
import { SchemasService } from './schemas.service';

@Module({
  controllers: [SchemasController],
  providers: [
    SchemasService,
    PayloadSchemas,
    { provide: SchemaStore, inject: [DynamoTable], useFactory: (t: DynamoTable) => new DynamoSchemaStore(t) },
  ],
  exports: [PayloadSchemas],
})
export class SchemasModule {}
