// Query parameters of the aggregates read API.
import { Transform } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { IsDateTime, IsEntityId } from '../shared/validation/event-fields';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

export class AggregatesQueryDto {
  @IsEntityId()
  entity_id!: string;

  @IsDateTime()
  from!: string;

  @IsDateTime()
  to!: string;
}

export class DiffQueryDto {
  @Transform(toInt)
  @IsInt({ message: 'from must be a version number' })
  @Min(1)
  from!: number;

  @Transform(toInt)
  @IsInt({ message: 'to must be a version number' })
  @Min(1)
  to!: number;
}
