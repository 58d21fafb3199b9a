import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../shared/auth/caller';
import { Roles } from '../shared/auth/roles.decorator';
import { ApiErrors } from '../shared/openapi/api-errors.decorator';
import type { Page } from '../shared/paging/page';
import type { Finding } from './reconcile-job-store';
import { FindingsQueryDto, ListQueryDto, StartReconcileDto } from './reconcile.dto';
import { FindingPage, ReconcileJobPage, ReconcileJobView } from './reconcile.responses';
import { ReconcileScheduler } from './reconcile.scheduler';
import { ReconcileService, ReconcileView } from './reconcile.service';

const RECONCILE_ID_PARAM = { name: 'reconcile_id', schema: { type: 'string' as const, format: 'uuid' } };

/** Operators reconcile the raw store with the index; examples in docs/api.md, background in docs/operations.md. */
@Controller('admin/reconcile')
@Roles('operator')
@ApiTags('reconcile')
@ApiErrors('RECONCILE.VALIDATION_FAILED')
export class ReconcileController {
  constructor(
    private readonly reconcile: ReconcileService,
    private readonly scheduler: ReconcileScheduler,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Start a reconcile job over a window: a dry run unless repair is true' })
  @ApiAcceptedResponse({
    type: ReconcileJobView,
    description: 'the job, pending; `Location: /admin/reconcile/{reconcile_id}`',
  })
  @ApiErrors('RECONCILE.WINDOW_TOO_WIDE')
  async start(
    @Body() body: StartReconcileDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReconcileView> {
    // An empty body arrives as {} (the pipe makes it so): a dry run over the last day.
    const job = await this.reconcile.create(body, callerOf(req).id);
    this.scheduler.wake();
    void reply.status(202).header('location', `/admin/reconcile/${job.reconcile_id}`);
    return job;
  }

  @Get()
  @ApiOperation({ summary: 'Reconcile jobs, newest first' })
  @ApiOkResponse({ type: ReconcileJobPage })
  @ApiErrors('QUERY.INVALID_CURSOR')
  list(@Query() q: ListQueryDto): Promise<Page<ReconcileView>> {
    return this.reconcile.list(q.limit ?? 20, q.cursor);
  }

  @Get(':reconcile_id')
  @ApiOperation({ summary: 'One job: status, progress, position and counts' })
  @ApiParam(RECONCILE_ID_PARAM)
  @ApiOkResponse({ type: ReconcileJobView })
  @ApiErrors('RECONCILE.NOT_FOUND')
  get(@Param('reconcile_id') id: string): Promise<ReconcileView> {
    return this.reconcile.get(id);
  }

  @Get(':reconcile_id/findings')
  @ApiOperation({ summary: "A job's findings, optionally of one kind" })
  @ApiParam(RECONCILE_ID_PARAM)
  @ApiOkResponse({ type: FindingPage })
  @ApiErrors('RECONCILE.NOT_FOUND', 'QUERY.INVALID_CURSOR')
  findings(@Param('reconcile_id') id: string, @Query() q: FindingsQueryDto): Promise<Page<Finding>> {
    return this.reconcile.findings(id, q.kind, q.limit ?? 100, q.cursor);
  }
}
