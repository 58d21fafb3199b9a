// Query parameters of the aggregates read API.
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { IsDateTime, IsEntityId, ENTITY_ID_SCHEMA } from '../shared/validation/event-fields';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

export class AggregatesQueryDto {
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

export class DiffQueryDto {
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
