// Query parameters of the aggregates read API.
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Min } from 'class-validator';
import { IsDateTime, IsEntityId } from '../shared/validation/event-fields';
import { AGGREGATOR_NAME } from './aggregator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** `?aggregator=`: which aggregator's buckets a request means (default `entity_hour`). */
export class AggregatorQueryDto {
  @IsOptional()
  @Matches(AGGREGATOR_NAME, {
    message: 'aggregator must be an aggregator name (lower-case letters, digits, _)',
  })
  aggregator?: string;
}

export class AggregatesQueryDto extends AggregatorQueryDto {
  @IsEntityId()
  entity_id!: string;

  @IsDateTime()
  from!: string;

  @IsDateTime()
  to!: string;
}

export class DiffQueryDto extends AggregatorQueryDto {
  @Transform(toInt)
  @IsInt({ message: 'from must be a version number' })
  @Min(1)
  from!: number;

  @Transform(toInt)
  @IsInt({ message: 'to must be a version number' })
  @Min(1)
  to!: number;
}
