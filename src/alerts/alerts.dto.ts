// Query shapes of the alert endpoints; the rule set's shape is AlertRulesDto in alert-rules.ts.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { ValidationCode } from '../shared/http/validation.pipe';

@ValidationCode('ALERTS.VALIDATION_FAILED')
export class ListAlertsQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 4096,
    description: 'opaque cursor: the next_cursor of the previous page',
  })
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  cursor?: string;
}
