import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Roles } from '../shared/auth/roles.decorator';
import {
  DuplicatesQueryDto,
  GapsQueryDto,
  GetEventQueryDto,
  LateQueryDto,
  ListEventsQueryDto,
  PageQueryDto,
  RejectedQueryDto,
  SequenceGapsQueryDto,
  StatsQueryDto,
} from './query.dto';
import { QueryService } from './query.service';
import { SourceHealthService } from './source-health.service';

/** Read-only investigation endpoints; examples and response shapes in docs/api.md. */
@Controller()
@Roles('investigator')
@ApiTags('query')
@ApiSecurity('bearer')
export class QueryController {
  constructor(
    private readonly query: QueryService,
    private readonly health: SourceHealthService,
  ) {}

  @Get('events/:event_id')
  @ApiOperation({ summary: 'One event: every index field, plus the raw event as received' })
  event(@Param('event_id') eventId: string, @Query() q: GetEventQueryDto) {
    return this.query.event(eventId, q.raw);
  }

  @Get('events/:event_id/attempts')
  @ApiOperation({ summary: 'The first submission and every kept duplicate/conflict attempt' })
  attempts(@Param('event_id') eventId: string, @Query() q: PageQueryDto) {
    return this.query.attempts(eventId, q);
  }

  @Get('events')
  @ApiOperation({ summary: 'An entity timeline (occurred_at) or a source timeline (received_at)' })
  events(@Query() q: ListEventsQueryDto) {
    return this.query.events(q);
  }

  @Get('stats')
  @ApiOperation({ summary: 'Per (source, type) counts, lag quantiles, rates and health, worst first' })
  stats(@Query() q: StatsQueryDto) {
    return this.health.stats(q);
  }

  @Get('late')
  @ApiOperation({ summary: 'Late arrivals of a source, oldest received first' })
  late(@Query() q: LateQueryDto) {
    return this.query.late(q);
  }

  @Get('duplicates')
  @ApiOperation({ summary: 'Events of a source that received repeats, and idempotency conflicts' })
  duplicates(@Query() q: DuplicatesQueryDto) {
    return this.health.duplicates(q);
  }

  @Get('gaps')
  @ApiOperation({ summary: 'Silence windows of a source at minute resolution' })
  gaps(@Query() q: GapsQueryDto) {
    return this.health.gaps(q);
  }

  @Get('entities/:entity_id/sequence-gaps')
  @ApiOperation({ summary: 'Missing, repeated and out-of-order sequence numbers of an entity' })
  sequenceGaps(@Param('entity_id') entityId: string, @Query() q: SequenceGapsQueryDto) {
    return this.health.sequenceGaps(entityId, q.source);
  }

  @Get('rejected')
  @ApiOperation({ summary: 'Rejected submissions with their errors and raw body (large ones by pointer)' })
  rejected(@Query() q: RejectedQueryDto) {
    return this.query.rejected(q);
  }

  @Get('rejected/:rejection_id')
  @ApiOperation({ summary: 'One rejected submission with its whole body and every error' })
  @ApiOkResponse({
    description: 'the row as listed, with raw and errors read whole from its rejected/ object',
  })
  @ApiNotFoundResponse({ description: 'QUERY.REJECTED_NOT_FOUND' })
  rejectedOne(@Param('rejection_id') rejectionId: string) {
    return this.query.rejectedOne(rejectionId);
  }
}
