// The contract check: every answer a test app gives is validated against the app's own OpenAPI
// document (its status must be documented for the operation, its body must match that status's
// schema, field for field), and every mismatch is recorded. test/support/contract-check.ts fails the
// test during which one was recorded, so the document cannot drift from the code.
import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildOpenApiDocument } from '../../src/shared/openapi/openapi.document';

/** Routes the app serves outside the document: the document itself, its viewer, the console. */
export const UNDOCUMENTED_ROUTES = [/^\/docs(-json|-yaml)?(\/|$)/, /^\/console(\/|$|\*)/];

export interface Violation {
  request: string;
  status: number;
  problem: string;
}

const recorded: Violation[] = [];

/** The violations recorded so far, forgetting them. */
export function takeViolations(): Violation[] {
  return recorded.splice(0);
}

type Json = Record<string, unknown>;
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];

/**
 * The published document leaves objects open to new fields; the check is stricter: an object schema
 * that lists its properties allows no others, so a field the code sends but the document omits fails.
 */
function closeObjects(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null) return;
  const s = schema as Json;
  if (s.properties && s.additionalProperties === undefined) s.additionalProperties = false;
  for (const child of Object.values((s.properties as Json | undefined) ?? {})) closeObjects(child);
  for (const key of ['items', 'additionalProperties', 'not']) closeObjects(s[key]);
  for (const key of SCHEMA_LISTS) if (Array.isArray(s[key])) (s[key] as unknown[]).forEach(closeObjects);
}

export interface Contract {
  document: OpenAPIObject;
  ajv: Ajv2020;
  validators: Map<string, ValidateFunction>;
}

let contract: Contract | undefined;

/** The document of `app`, compiled for checking answers (once per test file). */
export function contractOf(app: INestApplication): Contract {
  if (contract) return contract;
  const document = structuredClone(buildOpenApiDocument(app));
  for (const schema of Object.values(document.components?.schemas ?? {})) closeObjects(schema);
  for (const item of Object.values(document.paths))
    for (const op of Object.values(item as Json))
      for (const response of Object.values(((op as Json).responses as Json | undefined) ?? {}))
        for (const media of Object.values(((response as Json).content as Json | undefined) ?? {}))
          closeObjects((media as Json).schema);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi');
  contract = { document, ajv, validators: new Map() };
  return contract;
}

const pointer = (...parts: string[]): string =>
  parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** Problems of one answer: undocumented status or content type, or a body its schema refuses. */
export function checkAnswer(
  c: Contract,
  method: string,
  route: string | undefined,
  status: number,
  contentType: string,
  body: string,
): string[] {
  const path = route?.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  if (path && UNDOCUMENTED_ROUTES.some((r) => r.test(path))) return [];
  const op = path ? ((c.document.paths[path] as Json | undefined)?.[method] as Json | undefined) : undefined;
  if (!path) {
    // No route matched (an unknown path, or a method the path lacks): still the error envelope.
    return validate(c, '#/components/schemas/ErrorBody', body);
  }
  if (!op) return [`${method.toUpperCase()} ${path} is served but not documented`];
  const responses = op.responses as Json;
  if (!responses[String(status)]) {
    return [`status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
  }
  const media = contentType.split(';')[0].trim();
  const content = (responses[String(status)] as Json).content as Json | undefined;
  if (!content) return body.length === 0 ? [] : [`status ${status} documents no body, got ${media}`];
  if (!content[media]) return [`content type ${media} is not documented for ${status}`];
  return validate(
    c,
    `#/${pointer('paths', path, method, 'responses', String(status), 'content', media, 'schema')}`,
    body,
    media,
  );
}

function validate(c: Contract, ref: string, body: string, media = 'application/json'): string[] {
  let value: unknown = body;
  if (/json/.test(media)) {
    try {
      value = JSON.parse(body);
    } catch {
      return [`the body is not JSON: ${body.slice(0, 80)}`];
    }
  }
  let check = c.validators.get(ref);
  if (!check) {
    check = c.ajv.compile({ $ref: `openapi${ref}` });
    c.validators.set(ref, check);
  }
  if (check(value)) return [];
  return (check.errors ?? []).map(
    (e) => `${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/** Validates every answer of `app` (before it is initialised) against its OpenAPI document. */
export function installContractCheck(app: INestApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    if (request.method === 'HEAD' || request.method === 'OPTIONS') return done(null, payload);
    const body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    // Streams (static files) are outside the document.
    if (body === null && payload !== null && payload !== undefined) return done(null, payload);
    const problems = checkAnswer(
      contractOf(app),
      request.method.toLowerCase(),
      request.routeOptions.url,
      reply.statusCode,
      String(reply.getHeader('content-type') ?? ''),
      body ?? '',
    );
    for (const problem of problems) {
      recorded.push({ request: `${request.method} ${request.url}`, status: reply.statusCode, problem });
    }
    done(null, payload);
  });
}
