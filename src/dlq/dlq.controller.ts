import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../shared/auth/caller';
import { Roles } from '../shared/auth/roles.decorator';
import { validationError } from '../shared/errors/app-error';
import { DropQueryDto, ListDlqQueryDto, MESSAGE_ID, RedriveDto } from './dlq.dto';
import { DlqService } from './dlq.service';

/** The replay queue's dead-letter queue; examples in docs/api.md, procedures in docs/operations.md. */
@Controller('dlq')
@Roles('operator')
@ApiTags('dlq')
@ApiSecurity('bearer')
@ApiUnauthorizedResponse({ description: 'AUTH.MISSING_KEY, AUTH.INVALID_KEY' })
@ApiForbiddenResponse({ description: 'AUTH.FORBIDDEN: the key is not an operator' })
@ApiBadRequestResponse({ description: 'DLQ.VALIDATION_FAILED, naming the field' })
@ApiServiceUnavailableResponse({ description: 'STORAGE.UNAVAILABLE: SQS or DynamoDB did not answer' })
export class DlqController {
  constructor(private readonly dlq: DlqService) {}

  @Get()
  @ApiOperation({ summary: 'Dead-lettered messages with their failure reason, without consuming them' })
  @ApiOkResponse({ description: 'the messages, oldest first (docs/api.md)' })
  list(@Query() q: ListDlqQueryDto) {
    return this.dlq.list(q.limit);
  }

  @Post('redrive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move messages (given ids, or all) back to the replay queue' })
  @ApiOkResponse({ description: 'what was moved, per message' })
  redrive(@Body() body: RedriveDto, @Req() req: FastifyRequest) {
    return this.dlq.redrive(body, callerOf(req));
  }

  @Delete(':message_id')
  @ApiOperation({ summary: 'Drop one dead-lettered message for good' })
  @ApiOkResponse({ description: 'the dropped message as GET /dlq showed it' })
  @ApiNotFoundResponse({ description: 'DLQ.MESSAGE_NOT_FOUND' })
  drop(@Param('message_id') messageId: string, @Query() q: DropQueryDto, @Req() req: FastifyRequest) {
    if (!MESSAGE_ID.test(messageId)) {
      throw validationError('DLQ.VALIDATION_FAILED', [
        { field: 'message_id', message: 'must match ^[A-Za-z0-9-]{1,100}$' },
      ]);
    }
    return this.dlq.drop(messageId, q, callerOf(req));
  }
}
