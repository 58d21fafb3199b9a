// Owns POST /ingest and POST /ingest/batch.
import { Module } from '@nestjs/common';
import { IngestController } from './ingest.controller';
import { IngestMetrics } from './ingest.metrics';
import { IngestService } from './ingest.service';

@Module({
  controllers: [IngestController],
  providers: [IngestService, IngestMetrics],
  exports: [IngestService],
})
export class IngestModule {}
