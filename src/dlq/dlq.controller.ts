import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../shared/auth/caller';
import { Roles } from '../shared/auth/roles.decorator';
import { validationError } from '../shared/errors/app-error';
import { ApiErrors } from '../shared/openapi/api-errors.decorator';
import { DropQueryDto, ListDlqQueryDto, MESSAGE_ID, RedriveDto } from './dlq.dto';
import { DeadLetters, DeadLetterView, Redriven } from './dlq.responses';
import { DlqService } from './dlq.service';

/** The replay queue's dead-letter queue; examples in docs/api.md, procedures in docs/operations.md. */
@Controller('dlq')
@Roles('operator')
@ApiTags('dlq')
@ApiErrors('DLQ.VALIDATION_FAILED')
export class DlqController {
  constructor(private readonly dlq: DlqService) {}

  @Get()
  @ApiOperation({ summary: 'Dead-lettered messages with their failure reason, without consuming them' })
  @ApiOkResponse({ type: DeadLetters, description: 'the messages, oldest first (docs/api.md)' })
  list(@Query() q: ListDlqQueryDto) {
    return this.dlq.list(q.limit);
  }

  @Post('redrive')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Move messages (given ids, or all) back to the replay queue',
    description:
      'Each message is sent first and deleted from the DLQ only once SQS took the copy. Given ids (up ' +
      'to 100) or `all` (up to 1,000 per call; call again while `remaining` is above 0, with a `reason`).',
  })
  @ApiOkResponse({ type: Redriven, description: 'what was moved, per message' })
  redrive(@Body() body: RedriveDto, @Req() req: FastifyRequest) {
    return this.dlq.redrive(body, callerOf(req));
  }

  @Delete(':message_id')
  @ApiOperation({ summary: 'Drop one dead-lettered message for good' })
  @ApiParam({ name: 'message_id', schema: { type: 'string', pattern: MESSAGE_ID.source } })
  @ApiOkResponse({ type: DeadLetterView, description: 'the dropped message as GET /dlq showed it' })
  @ApiErrors('DLQ.MESSAGE_NOT_FOUND')
  drop(@Param('message_id') messageId: string, @Query() q: DropQueryDto, @Req() req: FastifyRequest) {
    if (!MESSAGE_ID.test(messageId)) {
      throw validationError('DLQ.VALIDATION_FAILED', [
        { field: 'message_id', message: 'must match ^[A-Za-z0-9-]{1,100}$' },
      ]);
    }
    return this.dlq.drop(messageId, q, callerOf(req));
  }
}
