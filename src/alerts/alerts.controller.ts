import { Body, Controller, Get, Param, Put, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../shared/auth/caller';
import { Roles } from '../shared/auth/roles.decorator';
import { ApiErrors } from '../shared/openapi/api-errors.decorator';
import { AlertRulesDto } from './alert-rules';
import { ListAlertsQueryDto } from './alerts.dto';
import { AlertList, AlertRules, AlertView } from './alerts.responses';
import { AlertsService } from './alerts.service';

/** Open and recent alerts, and the rules; reference in docs/api.md, operations in docs/operations.md. */
@Controller('alerts')
@Roles('investigator')
@ApiTags('alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({ summary: 'Open alerts, and every alert newest first' })
  @ApiOkResponse({ type: AlertList })
  @ApiErrors('ALERTS.VALIDATION_FAILED', 'QUERY.INVALID_CURSOR')
  list(@Query() q: ListAlertsQueryDto) {
    return this.alerts.list(q.limit, q.cursor);
  }

  @Get('rules')
  @ApiOperation({ summary: 'The rules in force, with defaults applied, and where they come from' })
  @ApiOkResponse({ type: AlertRules })
  rules() {
    return this.alerts.effectiveRules();
  }

  @Put('rules')
  @Roles('operator')
  @ApiOperation({ summary: 'Replace the rule set (overrides ALERTS_RULES and the defaults)' })
  @ApiOkResponse({ type: AlertRules, description: 'the rules now in force' })
  @ApiErrors('ALERTS.VALIDATION_FAILED')
  putRules(@Body() body: AlertRulesDto, @Req() req: FastifyRequest) {
    return this.alerts.putRules(body, callerOf(req));
  }

  @Get(':alert_id')
  @ApiOperation({ summary: 'One alert' })
  @ApiParam({ name: 'alert_id', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ type: AlertView })
  @ApiErrors('ALERTS.NOT_FOUND')
  get(@Param('alert_id') alertId: string) {
    return this.alerts.get(alertId);
  }
}
