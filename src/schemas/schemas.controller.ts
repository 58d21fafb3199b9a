import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../shared/auth/caller';
import { Roles } from '../shared/auth/roles.decorator';
import { RegisterSchemaQueryDto, SchemaPairParamsDto } from './schemas.dto';
import { SchemasService } from './schemas.service';

/** Payload schemas per (source, type); reference in docs/api.md, a worked example in docs/extending.md. */
@Controller('schemas')
@Roles('investigator')
@ApiTags('schemas')
@ApiSecurity('bearer')
@ApiUnauthorizedResponse({ description: 'AUTH.MISSING_KEY, AUTH.INVALID_KEY' })
@ApiForbiddenResponse({ description: 'AUTH.FORBIDDEN' })
export class SchemasController {
  constructor(private readonly schemas: SchemasService) {}

  @Get()
  @ApiOperation({ summary: 'Every (source, type) with a schema, its latest version and status' })
  @ApiOkResponse({ description: '{ items }' })
  list() {
    return this.schemas.list();
  }

  @Put(':source/:type')
  @Roles('operator')
  @HttpCode(201)
  @ApiOperation({ summary: 'Register the next schema version of a (source, type)' })
  @ApiBody({ description: 'a JSON Schema, draft 2020-12', schema: { type: 'object' } })
  @ApiCreatedResponse({ description: 'the version as stored' })
  @ApiBadRequestResponse({ description: 'SCHEMA.INVALID naming the problem, SCHEMA.VALIDATION_FAILED' })
  register(
    @Param() p: SchemaPairParamsDto,
    @Query() q: RegisterSchemaQueryDto,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
  ) {
    return this.schemas.register(p.source, p.type, body, q.schema_version, callerOf(req).id);
  }

  @Get(':source/:type')
  @ApiOperation({ summary: 'A (source, type)’s status, latest schema and versions' })
  @ApiOkResponse({ description: '{ source, type, status, latest, versions, ... }' })
  @ApiNotFoundResponse({ description: 'SCHEMA.NOT_FOUND' })
  get(@Param() p: SchemaPairParamsDto) {
    return this.schemas.get(p.source, p.type);
  }

  @Delete(':source/:type')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retire a (source, type)’s schema: ingest stops checking it, history is kept' })
  @ApiOkResponse({ description: 'the pair, status retired' })
  @ApiNotFoundResponse({ description: 'SCHEMA.NOT_FOUND' })
  retire(@Param() p: SchemaPairParamsDto, @Req() req: FastifyRequest) {
    return this.schemas.retire(p.source, p.type, callerOf(req).id);
  }
}
