// Query-string DTOs of the investigation endpoints. The global ValidationPipe (transform on) checks
// them: a malformed parameter is a 400 REQUEST.VALIDATION_FAILED naming the field. Rules that tie
// parameters together (exactly one of entity_id/source, from <= to, window width) live in the service.
import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

/** RFC 3339 date-time with a mandatory offset (Z or ±hh:mm). */
const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const SOURCE = /^[a-z0-9][a-z0-9._-]*$/;
const rfc3339 = (field: string) => ({ message: `${field} must be an RFC 3339 date-time with an offset` });

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const toBool = ({ value }: { value: unknown }): unknown =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(MAX_LIMIT)
  limit: number = DEFAULT_LIMIT;

  @ApiPropertyOptional({ description: 'opaque cursor: the next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  cursor?: string;
}

export class WindowQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-25T02:00:00Z' })
  @IsOptional()
  @IsString()
  @Matches(RFC3339, rfc3339('from'))
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-25T03:00:00Z' })
  @IsOptional()
  @IsString()
  @Matches(RFC3339, rfc3339('to'))
  to?: string;
}

class SourceWindowQueryDto extends WindowQueryDto {
  @ApiProperty({ example: 'orders-svc' })
  @IsString()
  @Length(1, 64)
  @Matches(SOURCE, { message: 'source must match ^[a-z0-9][a-z0-9._-]*$' })
  source!: string;
}

export class GetEventQueryDto {
  @ApiPropertyOptional({ default: true, description: 'false omits the raw event' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'raw must be true or false' })
  raw: boolean = true;
}

export class ListEventsQueryDto extends WindowQueryDto {
  @ApiPropertyOptional({
    description: 'an entity timeline, by occurred_at (exactly one of entity_id, source)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  entity_id?: string;

  @ApiPropertyOptional({
    description: 'a source timeline, by received_at (exactly one of entity_id, source)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(SOURCE, { message: 'source must match ^[a-z0-9][a-z0-9._-]*$' })
  source?: string;

  @ApiPropertyOptional({ description: 'with source only: keep one event type' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  type?: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc', description: 'with entity_id only' })
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'order must be asc or desc' })
  order?: 'asc' | 'desc';
}

export class StatsQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_LIMIT,
    description: 'rows per page; with it (or a cursor) the answer carries next_cursor. Without: every row',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'opaque cursor: the next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  cursor?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsString()
  @Matches(RFC3339, rfc3339('from'))
  from?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsString()
  @Matches(RFC3339, rfc3339('to'))
  to?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(SOURCE, { message: 'source must match ^[a-z0-9][a-z0-9._-]*$' })
  source?: string;
}

export class LateQueryDto extends SourceWindowQueryDto {
  @ApiPropertyOptional({ minimum: 0, description: 'keep only lags at or above this' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'min_lag_ms must be an integer' })
  @Min(0)
  min_lag_ms?: number;
}

export class DuplicatesQueryDto extends SourceWindowQueryDto {}

export class GapsQueryDto extends SourceWindowQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1440, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'min_gap_minutes must be an integer' })
  @Min(1)
  @Max(1440)
  min_gap_minutes: number = 10;
}

export class SequenceGapsQueryDto {
  @ApiProperty({ example: 'orders-svc' })
  @IsString()
  @Length(1, 64)
  @Matches(SOURCE, { message: 'source must match ^[a-z0-9][a-z0-9._-]*$' })
  source!: string;
}

export class RejectedQueryDto extends WindowQueryDto {
  @ApiPropertyOptional({ description: 'omit for every source, including unreadable ones' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(SOURCE, { message: 'source must match ^[a-z0-9][a-z0-9._-]*$' })
  source?: string;
}
