// Owns the investigation reads: events, attempts, stats, late, duplicates, gaps, sequence gaps, rejected.
import { Module } from '@nestjs/common';
import { QueryController } from './query.controller';
import { QueryService } from './query.service';
import { SourceHealthService } from './source-health.service';

@Module({
  controllers: [QueryController],
  providers: [QueryService, SourceHealthService],
  exports: [QueryService, SourceHealthService],
})
export class QueryModule {}
