// Alert rules and the alert list for the API; the evaluator (alerts.evaluator.ts) reads the effective
// rules from here too. Rules come from PUT /alerts/rules when stored, else ALERTS_RULES, else defaults.
import { Injectable, Logger } from '@nestjs/common';
import type { Caller } from '../shared/auth/caller';
import { Env } from '../shared/config/env.config';
import { AppError, validationError } from '../shared/errors/app-error';
import type { Page } from '../shared/paging/page';
import {
  AlertRulesDto,
  AlertRuleDto,
  defaultRules,
  parseRules,
  Rule,
  ruleProblems,
  withDefaults,
} from './alert-rules';
import { Alert, AlertStore } from './alert-store';

export interface EffectiveRules {
  origin: 'stored' | 'config' | 'default';
  updated_at: string | null;
  updated_by: string | null;
  rules: Rule[];
}

const ALERT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@Injectable()
export class AlertsService {
  private readonly logger = new Logger(AlertsService.name);
  private readonly configured: AlertRuleDto[] | undefined;

  constructor(
    private readonly store: AlertStore,
    private readonly env: Env,
  ) {
    // Checked at boot by validateEnv; parsed once here.
    const parsed = env.ALERTS_RULES ? parseRules(JSON.parse(env.ALERTS_RULES)) : undefined;
    this.configured = parsed && 'rules' in parsed ? parsed.rules : undefined;
  }

  async effectiveRules(): Promise<EffectiveRules> {
    const stored = await this.store.getRules();
    if (stored) {
      return {
        origin: 'stored',
        updated_at: stored.updated_at,
        updated_by: stored.updated_by,
        rules: stored.rules.map(withDefaults),
      };
    }
    const rules = this.configured ?? defaultRules(this.env.LATE_THRESHOLD_MS);
    return {
      origin: this.configured ? 'config' : 'default',
      updated_at: null,
      updated_by: null,
      rules: rules.map(withDefaults),
    };
  }

  async putRules(body: AlertRulesDto, caller: Caller): Promise<EffectiveRules> {
    const problems = ruleProblems(body.rules);
    if (problems.length > 0) throw validationError('ALERTS.VALIDATION_FAILED', problems);
    const updatedAt = new Date().toISOString();
    await this.store.putRules({ rules: body.rules, updated_at: updatedAt, updated_by: caller.id });
    this.logger.log(
      { op: 'alerts.audit', action: 'put_rules', requested_by: caller.id, rules: body.rules },
      'alert rules replaced',
    );
    return {
      origin: 'stored',
      updated_at: updatedAt,
      updated_by: caller.id,
      rules: body.rules.map(withDefaults),
    };
  }

  async list(limit: number, cursor?: string): Promise<{ open: Alert[] } & Page<Alert>> {
    const [open, recent] = await Promise.all([this.store.openAlerts(), this.store.recent(limit, cursor)]);
    return {
      open: open.sort((a, b) => b.fired_at.localeCompare(a.fired_at)),
      items: recent.items,
      next_cursor: recent.next_cursor,
    };
  }

  async get(alertId: string): Promise<Alert> {
    const alert = ALERT_ID.test(alertId) ? await this.store.get(alertId) : undefined;
    if (!alert) throw new AppError('ALERTS.NOT_FOUND', `alert ${alertId} not found`);
    return alert;
  }
}
