import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../shared/auth/caller';
import { Roles } from '../shared/auth/roles.decorator';
import { ApiErrors } from '../shared/openapi/api-errors.decorator';
import { RegisterSchemaQueryDto, SchemaPairParamsDto } from './schemas.dto';
import { SchemaList, SchemaPair, SchemaSummary, SchemaVersionView } from './schemas.responses';
import { MAX_SCHEMA_BYTES, SchemasService } from './schemas.service';

/** Payload schemas per (source, type); reference in docs/api.md, a worked example in docs/extending.md. */
@Controller('schemas')
@Roles('investigator')
@ApiTags('schemas')
export class SchemasController {
  constructor(private readonly schemas: SchemasService) {}

  @Get()
  @ApiOperation({ summary: 'Every (source, type) with a schema, its latest version and status' })
  @ApiOkResponse({ type: SchemaList })
  list() {
    return this.schemas.list();
  }

  @Put(':source/:type')
  @Roles('operator')
  @HttpCode(201)
  @ApiOperation({ summary: 'Register the next schema version of a (source, type)' })
  @ApiBody({
    description: `a JSON Schema, draft 2020-12, at most ${MAX_SCHEMA_BYTES / 1024} KiB, that ajv compiles in strict mode`,
    schema: { type: 'object', additionalProperties: true },
    examples: {
      amount: {
        summary: 'an amount is required',
        value: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } },
      },
    },
  })
  @ApiResponse({ status: 201, type: SchemaVersionView, description: 'the version as stored' })
  @ApiErrors('SCHEMA.VALIDATION_FAILED', 'SCHEMA.INVALID')
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
  @ApiOkResponse({ type: SchemaPair })
  @ApiErrors('SCHEMA.VALIDATION_FAILED', 'SCHEMA.NOT_FOUND')
  get(@Param() p: SchemaPairParamsDto) {
    return this.schemas.get(p.source, p.type);
  }

  @Delete(':source/:type')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retire a (source, type)’s schema: ingest stops checking it, history is kept' })
  @ApiOkResponse({ type: SchemaSummary, description: 'the pair, status retired' })
  @ApiErrors('SCHEMA.VALIDATION_FAILED', 'SCHEMA.NOT_FOUND')
  retire(@Param() p: SchemaPairParamsDto, @Req() req: FastifyRequest) {
    return this.schemas.retire(p.source, p.type, callerOf(req).id);
  }
}
