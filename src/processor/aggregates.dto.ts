// Query parameters of the aggregates read API.
import { Transform } from 'class-transformer';
import { IsInt, IsString, Length, Matches, Min } from 'class-validator';
import { RFC3339 } from '../ingest/ingest.dto';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

export class AggregatesQueryDto {
  @IsString()
  @Length(1, 256)
  entity_id!: string;

  @Matches(RFC3339, { message: 'from must be an RFC 3339 date-time with an offset' })
  from!: string;

  @Matches(RFC3339, { message: 'to must be an RFC 3339 date-time with an offset' })
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
