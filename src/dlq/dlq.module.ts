// Owns /dlq: listing the replay queue's dead-letter queue with failure reasons, redrive and drop.
// The failure records it reads are written by the processor (src/shared/message-failures/).
import { Module } from '@nestjs/common';
import { DlqController } from './dlq.controller';
import { DlqMetrics } from './dlq.metrics';
import { DlqService } from './dlq.service';

@Module({
  controllers: [DlqController],
  providers: [DlqService, DlqMetrics],
})
export class DlqModule {}
