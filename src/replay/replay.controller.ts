import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiOperation } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Caller, callerOf } from '../shared/auth/auth.guard';
import { Roles } from '../shared/auth/roles.decorator';
import { Env } from '../shared/config/env.config';
import { AppError } from '../shared/errors/app-error';
import { CreateReplayDto, ListReplaysQueryDto, ResendReplayDto, toReplayRequest } from './replay.dto';
import { ReplayResendService } from './replay-resend.service';
import { ReplayService } from './replay.service';
import { ReplayFormats } from './replay-formats';
import type { ReplayPlan, ReplayView } from './replay-view';
import type { Page } from '../shared/paging/page';

/** Investigators may plan (dry run) and read; running and cancelling need an operator. */
@Controller('replay')
@Roles('investigator')
export class ReplayController {
  constructor(
    private readonly replays: ReplayService,
    private readonly resends: ReplayResendService,
    private readonly formats: ReplayFormats,
    private readonly env: Env,
  ) {}

  /** 200 with the plan for a dry run; otherwise 202 with the new job and a Location header. */
  @Post()
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
  async list(@Query() query: ListReplaysQueryDto): Promise<Page<ReplayView>> {
    return this.replays.list(query.limit, query.cursor);
  }

  @Get(':replay_id')
  async get(@Param('replay_id') replayId: string): Promise<ReplayView> {
    return this.replays.get(replayId);
  }

  /** 202 with the resend job: the events the replay sent but the processor never handled, again. */
  @Post(':replay_id/resend')
  @Roles('operator')
  @ApiOperation({ summary: "Send again the replay's unprocessed events (a new job, resend_of set)" })
  @ApiAcceptedResponse({ description: 'the resend job; Location: /replay/{its id}' })
  @ApiConflictResponse({ description: 'REPLAY.NOT_RESENDABLE, with details.reason' })
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
