// What an operator sends to POST /admin/reconcile and the query of the lists; validated by the
// global ValidationPipe. Checks across fields (window order and width) are the service's.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsDateTime } from '../shared/validation/event-fields';
import { ValidationCode } from '../shared/http/validation.pipe';
import { FINDING_KINDS, FindingKind } from './reconcile-job-store';

@ValidationCode('RECONCILE.VALIDATION_FAILED')
export class StartReconcileDto {
  @ApiPropertyOptional({
    default: false,
    description: 'false reports only; true also indexes unindexed raw events',
  })
  @IsOptional()
  @IsBoolean()
  repair?: boolean;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-24T00:00:00Z',
    description: 'start of the window (default: 24 hours before to), widened to the start of its UTC hour',
  })
  @IsOptional()
  @IsDateTime()
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-24T23:59:59Z',
    description: 'end of the window (default: now), widened to the end of its UTC hour',
  })
  @IsOptional()
  @IsDateTime()
  to?: string;

  @ApiPropertyOptional({
    example: 'raw/source=orders-svc/',
    minLength: 4,
    maxLength: 512,
    pattern: '^raw\\/[\\x21-\\x7e]*$',
    description: 'only raw keys under this prefix, and index items pointing under it',
  })
  @IsOptional()
  @IsString()
  @Length(4, 512)
  @Matches(/^raw\/[\x21-\x7e]*$/, { message: 'prefix must start with raw/ and hold no spaces' })
  prefix?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 1000, example: 'INC-4411: service killed mid-request' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  reason?: string;
}

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

@ValidationCode('RECONCILE.VALIDATION_FAILED')
export class ListQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 2048,
    description: 'opaque cursor: the next_cursor of the previous page',
  })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  cursor?: string;
}

export class FindingsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: FINDING_KINDS })
  @IsOptional()
  @IsIn(FINDING_KINDS, { message: `kind must be one of ${FINDING_KINDS.join(', ')}` })
  kind?: FindingKind;
}
