import { Controller, Get, Param, Query } from '@nestjs/common';
import { Roles } from '../shared/auth/roles.decorator';
import { AppError } from '../shared/errors/app-error';
import { AggregatesQueryDto, AggregatorQueryDto, DiffQueryDto } from './aggregates.dto';
import { AggregatesService, DiffView, VersionView } from './aggregates.service';

/**
 * Aggregate keys are `<entity_id>@<period>`, URL-encoded in paths; `?aggregator=` names whose buckets
 * (default `entity_hour`). See docs/processor.md.
 */
@Controller()
@Roles('investigator')
export class AggregatesController {
  constructor(private readonly aggregates: AggregatesService) {}

  @Get('aggregates')
  list(@Query() q: AggregatesQueryDto): Promise<{ items: VersionView[] }> {
    return this.aggregates.list(q.entity_id, q.from, q.to, q.aggregator);
  }

  @Get('aggregates/:key')
  get(
    @Param('key') key: string,
    @Query() q: AggregatorQueryDto,
  ): Promise<{ aggregator: string; key: string; latest: VersionView; versions: VersionView[] }> {
    return this.aggregates.get(key, q.aggregator);
  }

  @Get('aggregates/:key/versions/:n')
  version(
    @Param('key') key: string,
    @Param('n') n: string,
    @Query() q: AggregatorQueryDto,
  ): Promise<VersionView & { input_event_ids: string[] }> {
    if (!/^[1-9]\d{0,9}$/.test(n)) {
      throw new AppError('AGGREGATE.VALIDATION_FAILED', 'a version number is a positive integer');
    }
    return this.aggregates.version(key, Number(n), q.aggregator);
  }

  @Get('aggregates/:key/diff')
  diff(@Param('key') key: string, @Query() q: DiffQueryDto): Promise<DiffView> {
    return this.aggregates.diff(key, q.from, q.to, q.aggregator);
  }

  @Get('events/:event_id/aggregates')
  ofEvent(
    @Param('event_id') eventId: string,
  ): Promise<{ event_id: string; key: string; items: VersionView[] }> {
    return this.aggregates.ofEvent(eventId);
  }
}
