// Query-string DTOs of the investigation endpoints. The global ValidationPipe (transform on) checks
// them: a malformed parameter is a 400 REQUEST.VALIDATION_FAILED naming the field. Rules that tie
// parameters together (exactly one of entity_id/source, from <= to, window width) live in the service.
import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import {
  IsDateTime,
  IsEntityId,
  IsEventType,
  IsSource,
  SOURCE,
  ENTITY_ID_SCHEMA,
  EVENT_TYPE_SCHEMA,
} from '../shared/validation/event-fields';

const RFC3339_TEXT = 'RFC 3339 date-time with an offset (`Z` or `±hh:mm`)';
const SOURCE_PROPERTY = { minLength: 1, maxLength: 64, pattern: SOURCE.source, example: 'orders-svc' };

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const toBool = ({ value }: { value: unknown }): unknown =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(MAX_LIMIT)
  limit: number = DEFAULT_LIMIT;

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

export class WindowQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: RFC3339_TEXT, example: '2026-11-25T02:00:00Z' })
  @IsOptional()
  @IsDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: RFC3339_TEXT, example: '2026-11-25T03:00:00Z' })
  @IsOptional()
  @IsDateTime()
  to?: string;
}

class SourceWindowQueryDto extends WindowQueryDto {
  @ApiProperty(SOURCE_PROPERTY)
  @IsSource()
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
    ...ENTITY_ID_SCHEMA,
    description: 'an entity timeline, by occurred_at (exactly one of entity_id, source)',
    example: 'order-123',
  })
  @IsOptional()
  @IsEntityId()
  entity_id?: string;

  @ApiPropertyOptional({
    ...SOURCE_PROPERTY,
    description: 'a source timeline, by received_at (exactly one of entity_id, source)',
  })
  @IsOptional()
  @IsSource()
  source?: string;

  // A query parameter's schema takes no allOf/not: the printable rule is said in words.
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 128,
    pattern: EVENT_TYPE_SCHEMA.pattern,
    description: `with source only: keep one event type (${EVENT_TYPE_SCHEMA.description})`,
  })
  @IsOptional()
  @IsEventType()
  type?: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc', description: 'with entity_id only' })
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'order must be asc or desc' })
  order?: 'asc' | 'desc';
}

export class StatsQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
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

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 4096,
    description: 'opaque cursor: the next_cursor of the previous page',
  })
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  cursor?: string;

  @ApiPropertyOptional({ format: 'date-time', description: RFC3339_TEXT })
  @IsOptional()
  @IsDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: RFC3339_TEXT })
  @IsOptional()
  @IsDateTime()
  to?: string;

  @ApiPropertyOptional(SOURCE_PROPERTY)
  @IsOptional()
  @IsSource()
  source?: string;
}

export class LateQueryDto extends SourceWindowQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'keep only lags at or above this' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'min_lag_ms must be an integer' })
  @Min(0)
  min_lag_ms?: number;
}

export class DuplicatesQueryDto extends SourceWindowQueryDto {}

export class GapsQueryDto extends SourceWindowQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1440, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'min_gap_minutes must be an integer' })
  @Min(1)
  @Max(1440)
  min_gap_minutes: number = 10;
}

/** The `{entity_id}` path segment, under the same rule as ingest's field (URL-encoded by the client). */
export class EntityParamDto {
  @ApiProperty({ ...ENTITY_ID_SCHEMA, example: 'order-123' })
  @IsEntityId()
  entity_id!: string;
}

export class SequenceGapsQueryDto {
  @ApiProperty(SOURCE_PROPERTY)
  @IsSource()
  source!: string;
}

export class RejectedQueryDto extends WindowQueryDto {
  @ApiPropertyOptional({
    ...SOURCE_PROPERTY,
    description: 'omit for every source, including unreadable ones',
  })
  @IsOptional()
  @IsSource()
  source?: string;
}
