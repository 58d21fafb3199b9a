// What an operator sends to POST /admin/reconcile and the query of the findings list; validated by the
// global ValidationPipe. Checks across fields (window order and width) are the service's.
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { RFC3339 } from '../ingest/ingest.dto';
import { ValidationCode } from '../shared/http/validation.pipe';
import { FINDING_KINDS, FindingKind } from './reconcile-job-store';

@ValidationCode('RECONCILE.VALIDATION_FAILED')
export class StartReconcileDto {
  /** false (the default) reports only; true also indexes unindexed raw events. */
  @IsOptional() @IsBoolean() repair?: boolean;
  /** Start of the window (default: 24 hours before `to`); widened to the start of its hour. */
  @IsOptional()
  @Matches(RFC3339, { message: 'from must be an RFC 3339 date-time with an offset' })
  from?: string;
  /** End of the window (default: now); widened to the end of its hour. */
  @IsOptional() @Matches(RFC3339, { message: 'to must be an RFC 3339 date-time with an offset' }) to?: string;
  /** Only raw keys under this prefix, e.g. `raw/source=orders/` or `raw/batches/`. */
  @IsOptional()
  @IsString()
  @Length(4, 512)
  @Matches(/^raw\/[\x21-\x7e]*$/, { message: 'prefix must start with raw/ and hold no spaces' })
  prefix?: string;
  @IsOptional() @IsString() @Length(1, 1000) reason?: string;
}

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

export class ListQueryDto {
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @IsString() @Length(1, 2048) cursor?: string;
}

export class FindingsQueryDto extends ListQueryDto {
  @IsOptional()
  @IsIn(FINDING_KINDS, { message: `kind must be one of ${FINDING_KINDS.join(', ')}` })
  kind?: FindingKind;
}
