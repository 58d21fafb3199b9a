// Owns POST /ingest and POST /ingest/batch.
import { Module } from '@nestjs/common';
import { SchemasModule } from '../schemas/schemas.module';
import { IngestController } from './ingest.controller';
import { IngestMetrics } from './ingest.metrics';
import { IngestService } from './ingest.service';

@Module({
  imports: [SchemasModule],
  controllers: [IngestController],
  providers: [IngestService, IngestMetrics],
  exports: [IngestService],
})
export class IngestModule {}
