// The answers of the alert routes as the OpenAPI document describes them; each class implements the
// type the code returns, so a field added there without a line here does not compile.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COUNT, DATE_TIME, NEXT_CURSOR } from '../shared/openapi/schema-fields';
import { Rule, RULE_KINDS, RuleKind } from './alert-rules';
import type { Alert, AlertStatus, AlertValues } from './alert-store';
import type { AlertsService, EffectiveRules } from './alerts.service';

const VALUES = {
  type: 'object' as const,
  additionalProperties: {
    anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }, { type: 'null' }],
  },
  example: { silent_minutes: 31.2, threshold_minutes: 30, normally_active: true },
};

export class AlertView implements Alert {
  @ApiProperty({ format: 'uuid' }) alert_id!: string;
  @ApiProperty({ description: 'the rule’s name' }) rule!: string;
  @ApiProperty({ enum: [...RULE_KINDS] }) kind!: RuleKind;
  @ApiProperty() source!: string;
  @ApiProperty({ enum: ['firing', 'resolved'] }) status!: AlertStatus;
  @ApiProperty(DATE_TIME) fired_at!: string;
  @ApiPropertyOptional(DATE_TIME) resolved_at?: string;
  @ApiProperty() threshold!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'the measured value when it fired' })
  value!: number | null;
  @ApiProperty(VALUES) values!: AlertValues;
  @ApiPropertyOptional({ type: Number, nullable: true }) resolved_value?: number | null;
  @ApiPropertyOptional(VALUES) resolved_values?: AlertValues;
  @ApiProperty({ description: 'the API query to start from (gaps or stats of the source)' }) link!: string;
  @ApiPropertyOptional(DATE_TIME) notified_firing_at?: string;
  @ApiPropertyOptional(DATE_TIME) notified_resolved_at?: string;
  @ApiProperty(COUNT) notify_attempts!: number;
  @ApiPropertyOptional({ description: 'why the last notification could not be delivered' })
  notify_error?: string;
}

type Listing = Awaited<ReturnType<AlertsService['list']>>;

export class AlertList implements Listing {
  @ApiProperty({ type: [AlertView], description: 'every open alert, newest first' }) open!: AlertView[];
  @ApiProperty({ type: [AlertView], description: 'a page of all alerts, newest first' }) items!: AlertView[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;
}

export class RuleView implements Rule {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: [...RULE_KINDS] }) kind!: RuleKind;
  @ApiProperty({ type: String, nullable: true, description: 'null: every source' }) source!: string | null;
  @ApiProperty({ description: 'silence: minutes; lag_p99: milliseconds; rates: a share' }) threshold!: number;
  @ApiProperty({ type: 'integer' }) baseline_hours!: number;
  @ApiProperty() min_active_share!: number;
  @ApiProperty({ type: 'integer' }) window_minutes!: number;
  @ApiProperty({ type: 'integer' }) min_events!: number;
  @ApiProperty({ type: 'integer' }) fire_after!: number;
  @ApiProperty({ type: 'integer' }) clear_after!: number;
  @ApiProperty() clear_ratio!: number;
}

export class AlertRules implements EffectiveRules {
  @ApiProperty({ enum: ['stored', 'config', 'default'] }) origin!: EffectiveRules['origin'];
  @ApiProperty({ ...DATE_TIME, type: String, nullable: true }) updated_at!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the key label that stored them' })
  updated_by!: string | null;
  @ApiProperty({ type: [RuleView], description: 'every default filled in' }) rules!: RuleView[];
}
