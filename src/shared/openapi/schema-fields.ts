// Property options several response classes share (for @ApiProperty).
import { ApiProperty } from '@nestjs/swagger';

export const EVENT_ID = {
  pattern: '^[0-9a-f]{32}$',
  description: '32 lowercase hex characters',
  example: '5b1f0e5c2a7d4e8f9a0b1c2d3e4f5a6b',
};
export const SHA256 = {
  pattern: '^[0-9a-f]{64}$',
  example: '9c56cc51b374c3ba189210d5b6d4bf57790d351c96c47c02190ecf1e430635ab',
};
export const DATE_TIME = { format: 'date-time', example: '2026-11-25T02:14:05.388Z' };
export const COUNT = { type: 'integer', minimum: 0 } as const;
export const NEXT_CURSOR = {
  type: String,
  nullable: true,
  description: 'pass back as `cursor` for the next page; null on the last page',
};

/** Paged reads are bounded by a read budget (docs/api.md, "Read budget"). */
export const STOPPED_EARLY = {
  type: Boolean,
  description:
    'true when the read budget (round trips, items examined or time) ended the page before `limit`; continue with `next_cursor`',
};

/** One problem of an invalid field, as error details and rejected rows list them. */
export class FieldProblem {
  @ApiProperty({ example: 'type' }) field!: string;
  @ApiProperty({ example: 'type must not contain whitespace' }) message!: string;
}
