// Builds the OpenAPI 3.1 document from the controllers and DTOs (@nestjs/swagger decorators), then
// completes every operation from what the app itself enforces, so the two cannot disagree: the
// roles the guard checks (security requirements, the roles in the description, 401/403), storage
// failures on keyed routes, body errors on POST, and the codes each route declares with @ApiErrors.
import type { INestApplication, Type } from '@nestjs/common';
import { Reflector, ModulesContainer } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import {
  DocumentBuilder,
  OpenAPIObject,
  OperationObject,
  PathItemObject,
  SchemaObject,
  SecurityRequirementObject,
  SwaggerModule,
} from '@nestjs/swagger';
import type { Role } from '../auth/api-keys';
import { PUBLIC_KEY, PUBLIC_UNLESS_KEY, ROLES_KEY } from '../auth/roles.decorator';
import { ERROR_STATUS, ErrorCode } from '../errors/app-error';
import { API_ERRORS_KEY } from './api-errors.decorator';
import { errorResponses, errorSchema } from './error-responses';

const DESCRIPTION = `Ingest, investigation, replay and aggregates for data pipelines.

**Keys.** Every operation except the health probes, \`/metrics\` and the documents needs an API key,
sent either as \`Authorization: Bearer <key>\` or as \`x-api-key: <key>\`. Each key has a role:
\`producer\` (ingest), \`investigator\` (reads and replay dry runs), \`operator\` (runs and cancels
replays; also an investigator). Each operation names the roles it accepts.

**Errors** always answer \`{ "error": { "code", "message", "details" }, "request_id" }\` with a stable
\`code\`; each operation lists the codes it can answer, per status. Every answer carries an
\`x-request-id\` header (the request's own when it sent a sane one).

Guides with examples: \`docs/api.md\`, \`docs/ingest.md\`, \`docs/replay.md\`, \`docs/processor.md\`.`;

export const TAGS = {
  ingest: 'Send events (role producer)',
  query: 'Investigate events, sources and rejected submissions (role investigator)',
  replay: 'Plan, run, follow and cancel replays into SQS',
  aggregates: 'Versioned aggregates and their lineage (role investigator)',
  dlq: 'The dead-letter queue of the replay queue: inspect, redrive, drop (role operator)',
  alerts: 'Silence and health alerts per source, and their rules',
  reconcile: 'Reconcile the raw store with the index: find and repair drift (role operator)',
  schemas: 'JSON Schemas per (source, type) that ingest checks payloads against',
  operations: 'Health probes and metrics, no key',
} as const;

/** Methods whose requests may carry a body the app parses (a DELETE's is parsed too). */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);
const KEY_ERRORS: ErrorCode[] = ['AUTH.MISSING_KEY', 'AUTH.INVALID_KEY', 'AUTH.FORBIDDEN'];
/** Keyed routes read or write storage. */
const KEYED_ERRORS: ErrorCode[] = [...KEY_ERRORS, 'RATE_LIMITED', 'STORAGE.UNAVAILABLE', 'REQUEST.TIMEOUT'];
const BOTH_KEYS: SecurityRequirementObject[] = [{ bearer: [] }, { 'api-key': [] }];
/** Any JSON body: unparsable, too large, another type, or nested past 128 levels / a number no double holds. */
const BODY_ERRORS: ErrorCode[] = [
  'REQUEST.INVALID_JSON',
  'REQUEST.VALIDATION_FAILED',
  'REQUEST.BODY_TOO_LARGE',
  'REQUEST.UNSUPPORTED_MEDIA_TYPE',
];

/** Any other answer is a bug (500 INTERNAL), still in the envelope with every code there is. */
const UNEXPECTED = {
  description: 'An unexpected failure (500 `INTERNAL`); quote the request id when reporting it',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
};

export const operationIdOf = (controller: string, method: string): string => `${controller}_${method}`;

interface Route {
  isPublic: boolean;
  /** Open unless this setting is on (then keyed like any route). */
  publicUnless?: string;
  roles: Role[];
  errors: ErrorCode[];
}

/** Every route handler of the app by operation id, with what the guard and @ApiErrors say of it. */
function routesOf(app: INestApplication): Map<string, Route> {
  const reflector = new Reflector();
  const routes = new Map<string, Route>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined)
          continue;
        const targets = [handler, controller];
        routes.set(operationIdOf(controller.name, name), {
          isPublic: reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) ?? false,
          publicUnless: reflector.getAllAndOverride<string | undefined>(PUBLIC_UNLESS_KEY, targets),
          roles: reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [],
          errors: reflector.getAllAndMerge<ErrorCode[]>(API_ERRORS_KEY, targets) ?? [],
        });
      }
    }
  }
  return routes;
}

function rolesText(roles: Role[]): string {
  if (roles.length === 0) return 'No role may call this.';
  const names = roles.map((r) => `\`${r}\``).join(' or ');
  const operatorToo = roles.includes('investigator') && !roles.includes('operator') ? ' (or `operator`)' : '';
  return `**Roles:** ${names}${operatorToo}.`;
}

function complete(method: string, op: OperationObject, route: Route): void {
  const codes: ErrorCode[] = [...route.errors];
  let access: string;
  if (route.isPublic) {
    op.security = [];
    access = '**No key needed.**';
  } else if (route.publicUnless) {
    // `{}`: anonymous allowed, as it is while the setting is off.
    op.security = [{}, ...BOTH_KEYS];
    access = `**No key needed** unless ${route.publicUnless} is on; then ${rolesText(route.roles)}`;
    codes.push(...KEY_ERRORS);
  } else {
    op.security = BOTH_KEYS;
    access = rolesText(route.roles);
    codes.push(...KEYED_ERRORS);
  }
  op.description = [op.description, access].filter(Boolean).join('\n\n');
  if (BODY_METHODS.has(method)) codes.push(...BODY_ERRORS);
  op.responses = { ...op.responses, ...errorResponses(codes), default: UNEXPECTED };
}

type Json = Record<string, unknown>;

/** OpenAPI 3.0's `nullable: true` (what @nestjs/swagger writes) as 3.1 writes it: `null` in the type. */
function toOas31(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(toOas31);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Json;
  if (schema.nullable === true) {
    delete schema.nullable;
    if (schema.$ref !== undefined || schema.allOf !== undefined) {
      // A nullable class: @nestjs/swagger writes `type: object, allOf: [$ref]`, which null fails.
      const inner: Json = { ...schema };
      delete inner.description;
      if (inner.type === 'object') delete inner.type;
      const only = Array.isArray(inner.allOf) && inner.allOf.length === 1 && Object.keys(inner).length === 1;
      for (const key of Object.keys(schema)) if (key !== 'description') delete schema[key];
      schema.anyOf = [only ? (inner.allOf as unknown[])[0] : inner, { type: 'null' }];
    } else if (typeof schema.type === 'string') {
      schema.type = [schema.type, 'null'];
      if (Array.isArray(schema.enum)) schema.enum = [...(schema.enum as unknown[]), null];
    } else {
      const inner = { ...schema };
      for (const key of Object.keys(schema)) if (key !== 'description') delete schema[key];
      schema.anyOf = [inner, { type: 'null' }];
    }
  } else if (schema.nullable === false) {
    delete schema.nullable;
  }
  Object.values(schema).forEach(toOas31);
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  let builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('pipescope')
    .setDescription(DESCRIPTION)
    .setVersion('0.1.0')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'this server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key as a bearer token' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key' }, 'api-key');
  for (const [name, description] of Object.entries(TAGS)) builder = builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: operationIdOf,
  });

  const routes = routesOf(app);
  for (const item of Object.values<PathItemObject>(document.paths)) {
    for (const [method, op] of Object.entries(item) as [string, OperationObject][]) {
      const route = op.operationId ? routes.get(op.operationId) : undefined;
      if (!route) throw new Error(`OpenAPI: no handler found for operation ${op.operationId ?? method}`);
      complete(method, op, route);
    }
  }
  // Input DTOs go through the ValidationPipe with forbidNonWhitelisted: unknown fields are refused.
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {}) as [
    string,
    SchemaObject,
  ][]) {
    if (name.endsWith('Dto') && schema.type === 'object') schema.additionalProperties = false;
  }
  // Every code there is: unexpected answers, and those outside the operations (an unknown route's 404).
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      ErrorBody: errorSchema(Object.keys(ERROR_STATUS) as ErrorCode[]),
    },
  };
  toOas31(document.paths);
  toOas31(document.components);
  return document;
}
