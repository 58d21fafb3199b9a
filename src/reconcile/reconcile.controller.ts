import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Roles } from '../shared/auth/roles.decorator';
import type { Page } from '../shared/paging/page';
import type { Finding } from './reconcile-job-store';
import { FindingsQueryDto, ListQueryDto, StartReconcileDto } from './reconcile.dto';
import { ReconcileScheduler } from './reconcile.scheduler';
import { ReconcileService, ReconcileView } from './reconcile.service';

/** Operators reconcile the raw store with the index; examples in docs/api.md, background in docs/operations.md. */
@Controller('admin/reconcile')
@Roles('operator')
@ApiTags('reconcile')
@ApiSecurity('bearer')
@ApiForbiddenResponse({ description: 'AUTH.FORBIDDEN: the key is not an operator key' })
export class ReconcileController {
  constructor(
    private readonly reconcile: ReconcileService,
    private readonly scheduler: ReconcileScheduler,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Start a reconcile job over a window: a dry run unless repair is true' })
  @ApiAcceptedResponse({ description: 'the job, pending; Location: /admin/reconcile/{reconcile_id}' })
  @ApiBadRequestResponse({ description: 'RECONCILE.VALIDATION_FAILED or RECONCILE.WINDOW_TOO_WIDE' })
  async start(
    @Body() body: StartReconcileDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReconcileView> {
    // An empty body arrives as {} (the pipe makes it so): a dry run over the last day.
    const job = await this.reconcile.create(body, req.caller?.label ?? 'auth-off');
    this.scheduler.wake();
    void reply.status(202).header('location', `/admin/reconcile/${job.reconcile_id}`);
    return job;
  }

  @Get()
  @ApiOperation({ summary: 'Reconcile jobs, newest first' })
  @ApiOkResponse({ description: '{ items, next_cursor }' })
  @ApiBadRequestResponse({ description: 'REQUEST.VALIDATION_FAILED or QUERY.INVALID_CURSOR' })
  list(@Query() q: ListQueryDto): Promise<Page<ReconcileView>> {
    return this.reconcile.list(q.limit ?? 20, q.cursor);
  }

  @Get(':reconcile_id')
  @ApiOperation({ summary: 'One job: status, progress, position and counts' })
  @ApiOkResponse({ description: 'the job' })
  @ApiNotFoundResponse({ description: 'RECONCILE.NOT_FOUND' })
  get(@Param('reconcile_id') id: string): Promise<ReconcileView> {
    return this.reconcile.get(id);
  }

  @Get(':reconcile_id/findings')
  @ApiOperation({ summary: "A job's findings, optionally of one kind" })
  @ApiOkResponse({ description: '{ items, next_cursor }' })
  @ApiBadRequestResponse({ description: 'REQUEST.VALIDATION_FAILED (kind, limit) or QUERY.INVALID_CURSOR' })
  @ApiNotFoundResponse({ description: 'RECONCILE.NOT_FOUND' })
  findings(@Param('reconcile_id') id: string, @Query() q: FindingsQueryDto): Promise<Page<Finding>> {
    return this.reconcile.findings(id, q.kind, q.limit ?? 100, q.cursor);
  }
}
