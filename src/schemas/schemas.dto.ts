// Path and query shapes of /schemas; the body is the JSON Schema itself, checked by schema-compiler.ts.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { ValidationCode } from '../shared/http/validation.pipe';

@ValidationCode('SCHEMA.VALIDATION_FAILED')
export class SchemaPairParamsDto {
  @ApiProperty({
    description: 'the events’ source',
    minLength: 1,
    maxLength: 64,
    pattern: '^[a-z0-9][a-z0-9._-]*$',
    example: 'orders-svc',
  })
  @IsString()
  @Length(1, 64)
  @Matches(/^[a-z0-9][a-z0-9._-]*$/, { message: 'source must match ^[a-z0-9][a-z0-9._-]*$' })
  source!: string;

  @ApiProperty({
    description: 'the events’ type',
    minLength: 1,
    maxLength: 128,
    pattern: '^\\S+$',
    example: 'order.created',
  })
  @IsString()
  @Length(1, 128)
  @Matches(/^\S+$/, { message: 'type must not contain whitespace' })
  type!: string;
}

@ValidationCode('SCHEMA.VALIDATION_FAILED')
export class RegisterSchemaQueryDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 64,
    description: 'the event schema_version this schema is for; unset = any',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  schema_version?: string;
}
