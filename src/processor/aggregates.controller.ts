import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '../shared/auth/roles.decorator';
import { ApiErrors } from '../shared/openapi/api-errors.decorator';
import { AggregateVersion } from './aggregate-store';
import { AppError } from '../shared/errors/app-error';
import { AggregatesQueryDto, DiffQueryDto } from './aggregates.dto';
import {
  AggregateHistory,
  AggregateList,
  AggregateVersionView,
  DiffView as DiffSchema,
  EventAggregates,
} from './aggregates.responses';
import { AggregatesService, DiffView, VersionView } from './aggregates.service';

const KEY_PARAM = {
  name: 'key',
  description: '`<entity_id>@<YYYY-MM-DDTHH>`, URL-encoded',
  schema: { type: 'string' as const },
  example: 'order-123@2026-11-25T10',
};

/** Aggregate keys are `<entity_id>@<YYYY-MM-DDTHH>`, URL-encoded in paths (see docs/processor.md). */
@Controller()
@Roles('investigator')
@ApiTags('aggregates')
export class AggregatesController {
  constructor(private readonly aggregates: AggregatesService) {}

  @Get('aggregates')
  @ApiOperation({ summary: 'The latest version of each hourly bucket of an entity in a window' })
  @ApiOkResponse({ type: AggregateList })
  @ApiErrors('REQUEST.VALIDATION_FAILED', 'AGGREGATE.VALIDATION_FAILED')
  list(@Query() q: AggregatesQueryDto): Promise<{ items: VersionView[] }> {
    return this.aggregates.list(q.entity_id, q.from, q.to);
  }

  @Get('aggregates/:key')
  @ApiOperation({ summary: 'Every version of one aggregate, and the latest' })
  @ApiParam(KEY_PARAM)
  @ApiOkResponse({ type: AggregateHistory })
  @ApiErrors('AGGREGATE.VALIDATION_FAILED', 'AGGREGATE.NOT_FOUND')
  get(@Param('key') key: string): Promise<{ key: string; latest: VersionView; versions: VersionView[] }> {
    return this.aggregates.get(key);
  }

  @Get('aggregates/:key/versions/:n')
  @ApiOperation({ summary: 'One version with every input event id' })
  @ApiParam(KEY_PARAM)
  @ApiParam({
    name: 'n',
    description: 'the version number',
    schema: { type: 'integer', minimum: 1 },
    example: 1,
  })
  @ApiOkResponse({ type: AggregateVersionView })
  @ApiErrors('AGGREGATE.VALIDATION_FAILED', 'AGGREGATE.NOT_FOUND', 'AGGREGATE.VERSION_NOT_FOUND')
  version(@Param('key') key: string, @Param('n') n: string): Promise<AggregateVersion> {
    if (!/^[1-9]\d{0,9}$/.test(n)) {
      throw new AppError('AGGREGATE.VALIDATION_FAILED', 'a version number is a positive integer');
    }
    return this.aggregates.version(key, Number(n));
  }

  @Get('aggregates/:key/diff')
  @ApiOperation({ summary: 'What changed between two versions: values and input events' })
  @ApiParam(KEY_PARAM)
  @ApiOkResponse({ type: DiffSchema })
  @ApiErrors(
    'REQUEST.VALIDATION_FAILED',
    'AGGREGATE.VALIDATION_FAILED',
    'AGGREGATE.NOT_FOUND',
    'AGGREGATE.VERSION_NOT_FOUND',
  )
  diff(@Param('key') key: string, @Query() q: DiffQueryDto): Promise<DiffView> {
    return this.aggregates.diff(key, q.from, q.to);
  }

  @Get('events/:event_id/aggregates')
  @ApiOperation({ summary: 'The aggregate versions an event fed (reverse provenance)' })
  @ApiParam({ name: 'event_id', schema: { type: 'string', pattern: '^[0-9a-f]{32}$' } })
  @ApiOkResponse({ type: EventAggregates })
  @ApiErrors('QUERY.EVENT_NOT_FOUND')
  ofEvent(
    @Param('event_id') eventId: string,
  ): Promise<{ event_id: string; key: string; items: VersionView[] }> {
    return this.aggregates.ofEvent(eventId);
  }
}
