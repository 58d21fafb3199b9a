import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../shared/auth/caller';
import { Roles } from '../shared/auth/roles.decorator';
import { BatchResult, IngestResult } from './ingest-model';
import { IngestService } from './ingest.service';

@Controller('ingest')
@Roles('producer')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  /** 201 for a first submission, 200 for a duplicate (see docs/api.md). */
  @Post()
  async one(
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IngestResult> {
    const result = await this.ingest.ingestOne(body, req.rawBody ?? Buffer.alloc(0), {
      requestId: String(req.id),
      receivedAt: req.receivedAt,
      caller: callerOf(req),
    });
    void reply.status(result.status === 'accepted' ? 201 : 200);
    return result;
  }

  @Post('batch')
  @HttpCode(200)
  async batch(
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BatchResult> {
    const result = await this.ingest.ingestBatch(body, req.rawBody ?? Buffer.alloc(0), {
      requestId: String(req.id),
      receivedAt: req.receivedAt,
      caller: callerOf(req),
    });
    // Failed items are safe to resend; say when.
    if (result.failed > 0) void reply.header('retry-after', '1');
    return result;
  }
}
