// Request shapes of the dead-letter endpoints, checked by the global ValidationPipe. Rules that tie
// fields together (exactly one of message_ids and all; a reason with all) live in DlqService.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { ValidationCode } from '../shared/http/validation.pipe';

/** SQS message ids are UUID-like; anything else cannot name a message. */
export const MESSAGE_ID = /^[A-Za-z0-9-]{1,100}$/;
export const MAX_LIST = 100;
export const MAX_REDRIVE_IDS = 100;

@ValidationCode('DLQ.VALIDATION_FAILED')
export class ListDlqQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LIST, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(MAX_LIST)
  limit: number = 20;
}

@ValidationCode('DLQ.VALIDATION_FAILED')
export class RedriveDto {
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: MESSAGE_ID.source },
    nullable: true,
    minItems: 1,
    maxItems: MAX_REDRIVE_IDS,
    description: 'the dead-lettered messages to move back (or `all`)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REDRIVE_IDS)
  @Matches(MESSAGE_ID, { each: true, message: 'each message id must match ^[A-Za-z0-9-]{1,100}$' })
  message_ids?: string[];

  @ApiPropertyOptional({
    type: Boolean,
    nullable: true,
    description: 'true moves every message (up to 1,000 per call)',
  })
  @IsOptional()
  @IsBoolean({ message: 'all must be true or false' })
  all?: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: 1000,
    pattern: '\\S',
    description: 'why; required with all, kept in the audit log',
  })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @Length(1, 1000)
  reason?: string;
}

@ValidationCode('DLQ.VALIDATION_FAILED')
export class DropQueryDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 1000,
    pattern: '\\S',
    description: 'why; kept in the audit log',
  })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @Length(1, 1000)
  reason?: string;
}
