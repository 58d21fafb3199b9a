import { Body, Controller, Get, Param, Put, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../shared/auth/caller';
import { Roles } from '../shared/auth/roles.decorator';
import { AlertRulesDto } from './alert-rules';
import { ListAlertsQueryDto } from './alerts.dto';
import { AlertsService } from './alerts.service';

/** Open and recent alerts, and the rules; reference in docs/api.md, operations in docs/operations.md. */
@Controller('alerts')
@Roles('investigator')
@ApiTags('alerts')
@ApiSecurity('bearer')
@ApiUnauthorizedResponse({ description: 'AUTH.MISSING_KEY, AUTH.INVALID_KEY' })
@ApiForbiddenResponse({ description: 'AUTH.FORBIDDEN' })
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({ summary: 'Open alerts, and every alert newest first' })
  @ApiOkResponse({ description: '{ open, items, next_cursor }' })
  @ApiBadRequestResponse({ description: 'ALERTS.VALIDATION_FAILED (limit, cursor)' })
  list(@Query() q: ListAlertsQueryDto) {
    return this.alerts.list(q.limit, q.cursor);
  }

  @Get('rules')
  @ApiOperation({ summary: 'The rules in force, with defaults applied, and where they come from' })
  @ApiOkResponse({ description: '{ origin, updated_at, updated_by, rules }' })
  rules() {
    return this.alerts.effectiveRules();
  }

  @Put('rules')
  @Roles('operator')
  @ApiOperation({ summary: 'Replace the rule set (overrides ALERTS_RULES and the defaults)' })
  @ApiOkResponse({ description: 'the rules now in force' })
  @ApiBadRequestResponse({ description: 'ALERTS.VALIDATION_FAILED, naming each field' })
  putRules(@Body() body: AlertRulesDto, @Req() req: FastifyRequest) {
    return this.alerts.putRules(body, callerOf(req));
  }

  @Get(':alert_id')
  @ApiOperation({ summary: 'One alert' })
  @ApiOkResponse({ description: 'the alert' })
  @ApiNotFoundResponse({ description: 'ALERTS.NOT_FOUND' })
  get(@Param('alert_id') alertId: string) {
    return this.alerts.get(alertId);
  }
}
