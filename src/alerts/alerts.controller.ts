import { Body, Controller, Get, Param, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../shared/auth/auth.guard';
import { Roles } from '../shared/auth/roles.decorator';
import { AlertRulesDto } from './alert-rules';
import { ListAlertsQueryDto } from './alerts.dto';
import { AlertsService } from './alerts.service';

/** Open and recent alerts, and the rules; reference in docs/api.md, operations in docs/operations.md. */
@Controller('alerts')
@Roles('investigator')
@ApiTags('alerts')
@ApiSecurity('bearer')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({ summary: 'Open alerts, and every alert newest first' })
  list(@Query() q: ListAlertsQueryDto) {
    return this.alerts.list(q.limit, q.cursor);
  }

  @Get('rules')
  @ApiOperation({ summary: 'The rules in force, with defaults applied, and where they come from' })
  rules() {
    return this.alerts.effectiveRules();
  }

  @Put('rules')
  @Roles('operator')
  @ApiOperation({ summary: 'Replace the rule set (overrides ALERTS_RULES and the defaults)' })
  putRules(@Body() body: AlertRulesDto, @Req() req: FastifyRequest) {
    return this.alerts.putRules(body, callerOf(req));
  }

  @Get(':alert_id')
  @ApiOperation({ summary: 'One alert' })
  get(@Param('alert_id') alertId: string) {
    return this.alerts.get(alertId);
  }
}
