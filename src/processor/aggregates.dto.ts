// Query parameters of the aggregates read API.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Min } from 'class-validator';
import { IsDateTime, IsEntityId, ENTITY_ID_SCHEMA } from '../shared/validation/event-fields';
import { AGGREGATOR_NAME } from './aggregator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** `?aggregator=`: which aggregator's buckets a request means (default `entity_hour`). */
export class AggregatorQueryDto {
  @ApiPropertyOptional({
    pattern: AGGREGATOR_NAME.source,
    description: 'the aggregator whose buckets are meant; default entity_hour (GET /aggregates: all of them)',
    example: 'entity_hour',
  })
  @IsOptional()
  @Matches(AGGREGATOR_NAME, {
    message: 'aggregator must be an aggregator name (lower-case letters, digits, _)',
  })
  aggregator?: string;
}

export class AggregatesQueryDto extends AggregatorQueryDto {
  @ApiProperty({ ...ENTITY_ID_SCHEMA, example: 'order-123' })
  @IsEntityId()
  entity_id!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-25T00:00:00Z' })
  @IsDateTime()
  from!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'at most 31 days after from',
    example: '2026-11-26T00:00:00Z',
  })
  @IsDateTime()
  to!: string;
}

export class DiffQueryDto extends AggregatorQueryDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'a version number', example: 1 })
  @Transform(toInt)
  @IsInt({ message: 'from must be a version number' })
  @Min(1)
  from!: number;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'a version number', example: 2 })
  @Transform(toInt)
  @IsInt({ message: 'to must be a version number' })
  @Min(1)
  to!: number;
}
