import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Caller, callerOf } from '../shared/auth/caller';
import { Roles } from '../shared/auth/roles.decorator';
import { Env } from '../shared/config/env.config';
import { AppError } from '../shared/errors/app-error';
import { ApiErrors } from '../shared/openapi/api-errors.decorator';
import { CreateReplayDto, ListReplaysQueryDto, ResendReplayDto } from './replay.dto';
import { toReplayRequest } from './replay-request';
import { ReplayResendService } from './replay-resend.service';
import {
  ReplayCreated,
  ReplayPage,
  ReplayPlan as ReplayPlanSchema,
  ReplayView as ReplayViewSchema,
} from './replay.responses';
import { ReplayService } from './replay.service';
import { ReplayFormats } from './replay-formats';
import type { ReplayPlan, ReplayView } from './replay-view';
import type { Page } from '../shared/paging/page';

/** Investigators may plan (dry run) and read; running and cancelling need an operator. */
const REPLAY_ID_PARAM = { name: 'replay_id', schema: { type: 'string' as const, format: 'uuid' } };

/** Where a new job is: the 202 answers of POST /replay and of a resend. */
const LOCATION = { Location: { description: 'the job: /replay/{replay_id}', schema: { type: 'string' } } };

/** Investigators may plan (dry run) and read; running and cancelling need an operator. */
@Controller('replay')
@Roles('investigator')
@ApiTags('replay')
export class ReplayController {
  constructor(
    private readonly replays: ReplayService,
    private readonly resends: ReplayResendService,
    private readonly formats: ReplayFormats,
    private readonly env: Env,
  ) {}

  /** 200 with the plan for a dry run; otherwise 202 with the new job and a Location header. */
  @Post()
  @ApiOperation({
    summary: 'Plan a replay (dry run) or start one',
    description:
      'With `dry_run: true` answers the plan and creates nothing (role investigator). Otherwise freezes ' +
      'the selection under `replays/<id>/` in S3 and answers 202 with the job (role operator); the ' +
      'job then sends one message per event to the queue at `rate_per_second`. See docs/replay.md.',
  })
  @ApiResponse({ status: 200, type: ReplayPlanSchema, description: 'The plan of a dry run' })
  @ApiResponse({
    status: 202,
    type: ReplayCreated,
    description: 'The replay is created, pending until a runner picks it up',
    headers: LOCATION,
  })
  @ApiErrors(
    'REPLAY.VALIDATION_FAILED',
    'REPLAY.TOO_MANY_EVENTS',
    'REPLAY.WINDOW_TOO_WIDE',
    'REPLAY.QUEUE_NOT_ALLOWED',
    'REPLAY.TOO_MANY_RUNNING',
    'REPLAY.TOO_MANY_PLANS',
  )
  async create(
    @Body() body: CreateReplayDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReplayPlan | { replay_id: string; status: string }> {
    const request = toReplayRequest(body, this.env, this.formats.names());
    const caller = callerOf(req);
    if (request.dry_run) {
      void reply.status(200);
      return this.replays.plan(request, caller);
    }
    requireOperator(caller);
    const job = await this.replays.create(request, caller);
    void reply.status(202).header('location', `/replay/${job.replay_id}`);
    return { replay_id: job.replay_id, status: job.status };
  }

  @Get()
  @ApiOperation({ summary: 'Recent replays, newest first' })
  @ApiOkResponse({ type: ReplayPage })
  @ApiErrors('REPLAY.VALIDATION_FAILED', 'QUERY.INVALID_CURSOR')
  async list(@Query() query: ListReplaysQueryDto): Promise<Page<ReplayView>> {
    return this.replays.list(query.limit, query.cursor);
  }

  @Get(':replay_id')
  @ApiOperation({ summary: 'One replay: status, counts and progress' })
  @ApiParam(REPLAY_ID_PARAM)
  @ApiOkResponse({ type: ReplayViewSchema })
  @ApiErrors('REPLAY.NOT_FOUND')
  async get(@Param('replay_id') replayId: string): Promise<ReplayView> {
    return this.replays.get(replayId);
  }

  /** 202 with the resend job: the events the replay sent but the processor never handled, again. */
  @Post(':replay_id/resend')
  @Roles('operator')
  @ApiOperation({
    summary: "Send again the replay's unprocessed events (a new job, resend_of set)",
    description:
      'The events the replay sent that the processor never handled, as a new job. 409 when there is ' +
      'nothing to resend now (`details.reason`: all processed, or a resend still running).',
  })
  @ApiParam(REPLAY_ID_PARAM)
  @ApiResponse({ status: 202, type: ReplayViewSchema, description: 'The resend job', headers: LOCATION })
  @ApiErrors(
    'REPLAY.VALIDATION_FAILED',
    'REPLAY.NOT_FOUND',
    'REPLAY.NOT_RESENDABLE',
    'REPLAY.TOO_MANY_RUNNING',
  )
  async resend(
    @Param('replay_id') replayId: string,
    @Body() body: ResendReplayDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReplayView> {
    const job = await this.resends.resend(replayId, body, callerOf(req));
    void reply.status(202).header('location', `/replay/${job.replay_id}`);
    return job;
  }

  @Post(':replay_id/cancel')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({
    summary: 'Stop a pending or running replay',
    description: 'Cancelling a cancelled replay answers it again; a completed or failed one answers 409.',
  })
  @ApiParam(REPLAY_ID_PARAM)
  @ApiOkResponse({ type: ReplayViewSchema, description: 'The replay, cancelled' })
  @ApiErrors('REPLAY.NOT_FOUND', 'REPLAY.NOT_CANCELLABLE')
  async cancel(@Param('replay_id') replayId: string, @Req() req: FastifyRequest): Promise<ReplayView> {
    return this.replays.cancel(replayId, callerOf(req));
  }
}

/** With auth off (local mode, no API_KEYS) every caller is trusted, as everywhere else. */
function requireOperator(caller: Caller): void {
  if (caller.role === 'operator' || caller.role === 'anonymous') return;
  throw new AppError(
    'AUTH.FORBIDDEN',
    `Running a replay needs role operator; the key has role ${caller.role} (it may plan with dry_run: true)`,
  );
}
