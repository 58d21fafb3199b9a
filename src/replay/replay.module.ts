// Owns /replay: dry-run plans, frozen selections, rate-limited and resumable sending to SQS, cancel.
import { Module } from '@nestjs/common';
import { ReplayController } from './replay.controller';
import { ReplayRunner } from './replay.runner';
import { ReplayService } from './replay.service';

@Module({
  controllers: [ReplayController],
  providers: [ReplayService, ReplayRunner],
  exports: [ReplayService],
})
export class ReplayModule {}
