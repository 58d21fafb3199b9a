import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '../shared/auth/roles.decorator';
import type { ErrorCode } from '../shared/errors/app-error';
import { ApiErrors } from '../shared/openapi/api-errors.decorator';
import {
  DuplicatesQueryDto,
  EntityParamDto,
  GapsQueryDto,
  GetEventQueryDto,
  LateQueryDto,
  ListEventsQueryDto,
  PageQueryDto,
  RejectedQueryDto,
  SequenceGapsQueryDto,
  StatsQueryDto,
} from './query.dto';
import {
  Attempts,
  Duplicates,
  EventPage,
  EventWithRaw,
  Gaps,
  RejectedPage,
  RejectedView,
  SequenceGaps,
  Stats,
} from './query.responses';
import { QueryService } from './query.service';
import { SourceHealthService } from './source-health.service';

const EVENT_ID_PARAM = {
  name: 'event_id',
  description: '32 lowercase hex characters',
  schema: { type: 'string' as const, pattern: '^[0-9a-f]{32}$' },
  example: '5b1f0e5c2a7d4e8f9a0b1c2d3e4f5a6b',
};

/** What a paged read over a from..to window can refuse beyond a malformed parameter. */
const WINDOW_READ_ERRORS: ErrorCode[] = [
  'QUERY.VALIDATION_FAILED',
  'QUERY.WINDOW_TOO_WIDE',
  'QUERY.INVALID_CURSOR',
];

/** Read-only investigation endpoints; examples and response shapes in docs/api.md. */
@Controller()
@Roles('investigator')
@ApiTags('query')
@ApiErrors('REQUEST.VALIDATION_FAILED')
export class QueryController {
  constructor(
    private readonly query: QueryService,
    private readonly health: SourceHealthService,
  ) {}

  @Get('events/:event_id')
  @ApiOperation({
    summary: 'One event: every index field, plus the raw event as received',
    description: '`raw` is read from S3 (a range GET for batch members); `raw=false` skips that read.',
  })
  @ApiParam(EVENT_ID_PARAM)
  @ApiOkResponse({ type: EventWithRaw })
  @ApiErrors('QUERY.VALIDATION_FAILED', 'QUERY.EVENT_NOT_FOUND')
  event(@Param('event_id') eventId: string, @Query() q: GetEventQueryDto) {
    return this.query.event(eventId, q.raw);
  }

  @Get('events/:event_id/attempts')
  @ApiOperation({
    summary: 'The first submission and every kept duplicate/conflict attempt',
    description: 'Oldest first; the first 100 repeats of an event are kept (the counts keep counting).',
  })
  @ApiParam(EVENT_ID_PARAM)
  @ApiOkResponse({ type: Attempts })
  @ApiErrors('QUERY.VALIDATION_FAILED', 'QUERY.EVENT_NOT_FOUND', 'QUERY.INVALID_CURSOR')
  attempts(@Param('event_id') eventId: string, @Query() q: PageQueryDto) {
    return this.query.attempts(eventId, q);
  }

  @Get('events')
  @ApiOperation({
    summary: 'An entity timeline (occurred_at) or a source timeline (received_at)',
    description:
      'Exactly one of `entity_id` and `source`. An entity timeline spans every source, by occurred_at ' +
      '(unbounded window by default); a source timeline goes by received_at (default: the last 24 ' +
      'hours, at most 31 days).',
  })
  @ApiOkResponse({ type: EventPage })
  @ApiErrors(...WINDOW_READ_ERRORS)
  events(@Query() q: ListEventsQueryDto) {
    return this.query.events(q);
  }

  @Get('stats')
  @ApiOperation({
    summary: 'Per (source, type) counts, lag quantiles, rates and health, worst first',
    description:
      'From the hourly counters: the hours touching the window are counted whole. Every row at once, ' +
      'or pages of `limit` rows with `next_cursor`.',
  })
  @ApiOkResponse({ type: Stats })
  @ApiErrors(...WINDOW_READ_ERRORS)
  stats(@Query() q: StatsQueryDto) {
    return this.health.stats(q);
  }

  @Get('late')
  @ApiOperation({
    summary: 'Late arrivals of a source, oldest received first',
    description: 'Default window: the last 24 hours (by received time); at most 31 days.',
  })
  @ApiOkResponse({ type: EventPage })
  @ApiErrors(...WINDOW_READ_ERRORS)
  late(@Query() q: LateQueryDto) {
    return this.query.late(q);
  }

  @Get('duplicates')
  @ApiOperation({
    summary: 'Events of a source that received repeats, and idempotency conflicts',
    description: 'Default window: the last 24 hours; at most 31 days. One cursor pages both lists.',
  })
  @ApiOkResponse({ type: Duplicates })
  @ApiErrors(...WINDOW_READ_ERRORS)
  duplicates(@Query() q: DuplicatesQueryDto) {
    return this.health.duplicates(q);
  }

  @Get('gaps')
  @ApiOperation({
    summary: 'Silence windows of a source at minute resolution',
    description: 'Default window: the last 24 hours; at most 7 days.',
  })
  @ApiOkResponse({ type: Gaps })
  @ApiErrors(...WINDOW_READ_ERRORS)
  gaps(@Query() q: GapsQueryDto) {
    return this.health.gaps(q);
  }

  @Get('entities/:entity_id/sequence-gaps')
  @ApiOperation({
    summary: 'Missing, repeated and out-of-order sequence numbers of an entity',
    description: 'Reads at most 10,000 events of the entity from one source (`truncated` says so).',
  })
  @ApiOkResponse({ type: SequenceGaps })
  @ApiErrors('QUERY.VALIDATION_FAILED')
  sequenceGaps(@Param() p: EntityParamDto, @Query() q: SequenceGapsQueryDto) {
    return this.health.sequenceGaps(p.entity_id, q.source);
  }

  @Get('rejected')
  @ApiOperation({
    summary: 'Rejected submissions with their errors and raw body (large ones by pointer)',
    description:
      'Oldest first. Without `source`, every rejected row, including bodies whose source was unreadable. ' +
      'Default window: the last 24 hours; at most 31 days.',
  })
  @ApiOkResponse({ type: RejectedPage })
  @ApiErrors(...WINDOW_READ_ERRORS)
  rejected(@Query() q: RejectedQueryDto) {
    return this.query.rejected(q);
  }

  @Get('rejected/:rejection_id')
  @ApiOperation({ summary: 'One rejected submission with its whole body and every error' })
  @ApiParam({ name: 'rejection_id', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({
    type: RejectedView,
    description: 'the row as listed, with raw and errors read whole from its rejected/ object',
  })
  @ApiErrors('QUERY.REJECTED_NOT_FOUND')
  rejectedOne(@Param('rejection_id') rejectionId: string) {
    return this.query.rejectedOne(rejectionId);
  }
}
