// Alert rules: what is checked per source, from `PUT /alerts/rules` or ALERTS_RULES (JSON), with the
// documented defaults (docs/operations.md). A rule applies to every source, or to one (`source`); a
// source's own rule replaces a general rule of the same name for that source.
// class-transformer's @Type reads decorator metadata; Env validation loads this file before Nest does.
import 'reflect-metadata';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
  validateSync,
} from 'class-validator';
import type { FieldProblem } from '../shared/errors/app-error';
import { problemsOf } from '../shared/errors/validation-problems';
import { ValidationCode } from '../shared/http/validation.pipe';

export const RULE_KINDS = ['silence', 'lag_p99', 'reject_rate', 'conflict_rate'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
export const MAX_RULES = 100;

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SOURCE = /^[a-z0-9][a-z0-9._-]*$/;
const isRate = (o: AlertRuleDto) => o.kind === 'reject_rate' || o.kind === 'conflict_rate';
const num = { allowNaN: false, allowInfinity: false };

/** Fields only some kinds take; any other kind refuses them. */
const KIND_FIELDS: Record<RuleKind, readonly string[]> = {
  silence: ['minutes', 'baseline_hours', 'min_active_share'],
  lag_p99: ['threshold_ms', 'window_minutes', 'min_events'],
  reject_rate: ['threshold', 'window_minutes', 'min_events'],
  conflict_rate: ['threshold', 'window_minutes', 'min_events'],
};
const KIND_ONLY = [...new Set(Object.values(KIND_FIELDS).flat())];

const optional = (options: Record<string, unknown>) => ApiPropertyOptional({ nullable: true, ...options });

export class AlertRuleDto {
  @ApiProperty({ pattern: NAME.source, description: 'with `source`, one rule per name and scope' })
  @IsString()
  @Matches(NAME, { message: 'name must match ^[a-z0-9][a-z0-9_-]{0,63}$' })
  name!: string;
  @ApiProperty({ enum: [...RULE_KINDS] })
  @IsIn(RULE_KINDS, { message: `kind must be one of ${RULE_KINDS.join(', ')}` })
  kind!: RuleKind;
  @optional({
    type: String,
    minLength: 1,
    maxLength: 64,
    pattern: SOURCE.source,
    description: 'absent: every source',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(SOURCE, { message: 'source must match ^[a-z0-9][a-z0-9._-]*$' })
  source?: string;

  /** silence: minutes without events that fire (fractions allowed). */
  @ApiPropertyOptional({
    minimum: 0.01,
    maximum: 10080,
    description: 'silence (required): minutes without an event',
  })
  @ValidateIf((o: AlertRuleDto) => o.kind === 'silence')
  @IsNumber(num)
  @Min(0.01)
  @Max(10080)
  minutes?: number;
  /** silence: the history that says whether the source is normally active. */
  @optional({ type: 'integer', minimum: 1, maximum: 168, default: 24, description: 'silence' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(168)
  baseline_hours?: number;
  /** silence: normally active = at most 1 - this share of the baseline spent in silences >= minutes. */
  @optional({ type: Number, minimum: 0, maximum: 1, default: 0.9, description: 'silence' })
  @IsOptional()
  @IsNumber(num)
  @Min(0)
  @Max(1)
  min_active_share?: number;

  /** lag_p99: milliseconds. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'lag_p99 (required): milliseconds' })
  @ValidateIf((o: AlertRuleDto) => o.kind === 'lag_p99')
  @IsInt()
  @Min(1)
  threshold_ms?: number;
  /** reject_rate, conflict_rate: a share of received submissions, 0 < threshold <= 1. */
  @ApiPropertyOptional({
    minimum: 0.0001,
    maximum: 1,
    description: 'reject_rate, conflict_rate (required): a share of received submissions',
  })
  @ValidateIf(isRate)
  @IsNumber(num)
  @Min(0.0001)
  @Max(1)
  threshold?: number;
  @optional({ type: 'integer', minimum: 1, maximum: 1440, default: 60, description: 'lag_p99, rates' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  window_minutes?: number;
  /** Fewer submissions than this in the window are too few to judge (the rule counts as clear). */
  @optional({
    type: 'integer',
    minimum: 1,
    maximum: 1_000_000_000,
    default: 20,
    description: 'lag_p99, rates',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  min_events?: number;

  /** Consecutive breaching evaluations before an alert fires. */
  @optional({ type: 'integer', minimum: 1, maximum: 100, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  fire_after?: number;
  /** Consecutive clear evaluations before an open alert resolves. */
  @optional({ type: 'integer', minimum: 1, maximum: 100, default: 2 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  clear_after?: number;
  /** Clear means below threshold x clear_ratio; between the two an alert neither fires nor resolves. */
  @optional({ type: Number, minimum: 0, maximum: 1, default: 0.8 })
  @IsOptional()
  @IsNumber(num)
  @Min(0)
  @Max(1)
  clear_ratio?: number;
}

@ValidationCode('ALERTS.VALIDATION_FAILED')
export class AlertRulesDto {
  @ApiProperty({
    type: [AlertRuleDto],
    maxItems: MAX_RULES,
    description: 'the whole set; [] switches alerting off',
  })
  @IsArray()
  @ArrayMaxSize(MAX_RULES)
  @ValidateNested({ each: true })
  @Type(() => AlertRuleDto)
  rules!: AlertRuleDto[];
}

/** A rule with every default applied: what the evaluator works with and GET /alerts/rules shows. */
export interface Rule {
  name: string;
  kind: RuleKind;
  source: string | null;
  /** silence: minutes; lag_p99: milliseconds; rates: a share. */
  threshold: number;
  baseline_hours: number;
  min_active_share: number;
  window_minutes: number;
  min_events: number;
  fire_after: number;
  clear_after: number;
  clear_ratio: number;
}

export const RULE_DEFAULTS = {
  baseline_hours: 24,
  min_active_share: 0.9,
  window_minutes: 60,
  min_events: 20,
  fire_after: 1,
  clear_after: 2,
  clear_ratio: 0.8,
};

/** The rules used when neither PUT /alerts/rules nor ALERTS_RULES set any; `lateMs` is LATE_THRESHOLD_MS. */
export function defaultRules(lateMs: number): AlertRuleDto[] {
  return [
    { name: 'silence', kind: 'silence', minutes: 30 },
    // p99 over the late threshold: more than 1% of events are late.
    { name: 'lag-p99', kind: 'lag_p99', threshold_ms: Math.max(1, lateMs) },
    // The `bad` levels of GET /stats health (src/query/stats-rows.ts).
    { name: 'reject-rate', kind: 'reject_rate', threshold: 0.05 },
    { name: 'conflict-rate', kind: 'conflict_rate', threshold: 0.01 },
  ];
}

export function withDefaults(r: AlertRuleDto): Rule {
  const threshold = r.kind === 'silence' ? r.minutes : r.kind === 'lag_p99' ? r.threshold_ms : r.threshold;
  return {
    name: r.name,
    kind: r.kind,
    source: r.source ?? null,
    threshold: threshold!,
    baseline_hours: r.baseline_hours ?? RULE_DEFAULTS.baseline_hours,
    min_active_share: r.min_active_share ?? RULE_DEFAULTS.min_active_share,
    window_minutes: r.window_minutes ?? RULE_DEFAULTS.window_minutes,
    min_events: r.min_events ?? RULE_DEFAULTS.min_events,
    fire_after: r.fire_after ?? RULE_DEFAULTS.fire_after,
    clear_after: r.clear_after ?? RULE_DEFAULTS.clear_after,
    clear_ratio: r.clear_ratio ?? RULE_DEFAULTS.clear_ratio,
  };
}

/** Checks across fields and rules: kind-specific fields, one rule per (name, source). */
export function ruleProblems(rules: AlertRuleDto[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    for (const f of KIND_ONLY) {
      if (r[f as keyof AlertRuleDto] !== undefined && !KIND_FIELDS[r.kind].includes(f))
        problems.push({ field: `rules.${i}.${f}`, message: `${f} does not apply to kind ${r.kind}` });
    }
    const key = `${r.name}\u0000${r.source ?? ''}`;
    if (seen.has(key))
      problems.push({ field: `rules.${i}.name`, message: `rule ${r.name} is defined twice for one scope` });
    seen.add(key);
  });
  return problems;
}

/** Parses and checks a rule set given as a plain value (ALERTS_RULES); the problems, or the rules. */
export function parseRules(value: unknown): { rules: AlertRuleDto[] } | { problems: FieldProblem[] } {
  const body = Array.isArray(value) ? { rules: value as unknown[] } : value;
  if (typeof body !== 'object' || body === null)
    return { problems: [{ field: 'rules', message: 'must be an array of rules or { "rules": [...] }' }] };
  const dto = plainToInstance(AlertRulesDto, body);
  const problems = problemsOf(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }));
  if (problems.length > 0) return { problems };
  const more = ruleProblems(dto.rules);
  return more.length > 0 ? { problems: more } : { rules: dto.rules };
}

/** The rules that apply to a source: its own, and the general ones it does not override by name. */
export function rulesFor(rules: Rule[], source: string): Rule[] {
  const own = rules.filter((r) => r.source === source);
  const names = new Set(own.map((r) => r.name));
  return [...own, ...rules.filter((r) => r.source === null && !names.has(r.name))];
}
