import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags, ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../shared/auth/caller';
import { Roles } from '../shared/auth/roles.decorator';
import { ApiErrors } from '../shared/openapi/api-errors.decorator';
import { BatchResult, IngestResult } from './ingest-model';
import { IngestBatchDto, IngestEventDto } from './ingest.dto';
import { BatchOutcome, IngestAccepted, IngestDuplicate } from './ingest.responses';
import { IngestService } from './ingest.service';

/** Producers without a bearer key sign the body with their source's secret (docs/ingest.md). */
const SIGNATURE_HEADER_DOC = {
  name: 'X-Pipescope-Signature',
  required: false,
  description:
    'instead of a key: `t=<unix seconds>,s=<source>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, within 5 minutes',
  schema: { type: 'string' as const, pattern: '^t=\\d+,s=[a-z0-9][a-z0-9._-]*,v1=[0-9a-f]{64}$' },
};

/** The bodies are parsed by hand (ingest.dto.ts), so each is described with @ApiBody. */
@Controller('ingest')
@Roles('producer')
@ApiTags('ingest')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  /** 201 for a first submission, 200 for a duplicate (see docs/api.md). */
  @Post()
  @ApiOperation({
    summary: 'Send one event',
    description:
      'Stores the event exactly as received, indexes it and answers once both are durable. ' +
      'A repeat (same identity, same payload) answers 200 `duplicate`; an invalid event is kept under ' +
      '`rejected/` with its errors. Body limit: INGEST_MAX_EVENT_BYTES (256 KiB).',
  })
  @ApiBody({ type: IngestEventDto })
  @ApiResponse({ status: 201, type: IngestAccepted, description: 'Stored and indexed (first submission)' })
  @ApiResponse({ status: 200, type: IngestDuplicate, description: 'A repeat of a stored event' })
  @ApiErrors(
    'INGEST.VALIDATION_FAILED',
    'INGEST.PAYLOAD_TOO_DEEP',
    'INGEST.SCHEMA_VIOLATION',
    'INGEST.IDEMPOTENCY_CONFLICT',
    'AUTH.SOURCE_FORBIDDEN',
    'AUTH.INVALID_SIGNATURE',
  )
  @ApiHeader(SIGNATURE_HEADER_DOC)
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
  @ApiOperation({
    summary: 'Send up to 500 events',
    description:
      'Each item settles on its own (accepted, duplicate, conflict, rejected or failed); the answer is ' +
      '200 once the envelope is valid. `failed` items were not stored and are safe to resend; the ' +
      'answer then carries `Retry-After`. Body limit: INGEST_MAX_BATCH_BYTES (5 MiB).',
  })
  @ApiBody({ type: IngestBatchDto })
  @ApiResponse({
    status: 200,
    type: BatchOutcome,
    description: 'Every item settled',
    headers: {
      'Retry-After': {
        description: 'present when some items failed: seconds to wait before resending them',
        schema: { type: 'integer' },
      },
    },
  })
  @ApiErrors('INGEST.VALIDATION_FAILED', 'AUTH.SOURCE_FORBIDDEN', 'AUTH.INVALID_SIGNATURE')
  @ApiHeader(SIGNATURE_HEADER_DOC)
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
