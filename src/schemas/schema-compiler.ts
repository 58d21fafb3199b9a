// Compiles registered JSON Schemas (draft 2020-12) with ajv in strict mode, and turns ajv's errors into
// field problems whose `field` is a JSON pointer into the event (`/payload/amount`). Pure: no I/O.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldProblem } from '../shared/errors/app-error';

/** A payload check: undefined when the payload conforms, else what is wrong, each naming its pointer. */
export type PayloadValidator = (payload: unknown) => FieldProblem[] | undefined;

/** Problems reported for one payload, at most; a payload can fail many rules at once. */
export const MAX_VIOLATIONS = 20;

export type Compiled = { ok: true; validate: PayloadValidator } | { ok: false; problem: string };

/** Escapes a property name as one JSON pointer token (RFC 6901). */
const token = (name: string): string => name.replace(/~/g, '~0').replace(/\//g, '~1');

/** The pointer into the event and the message of one ajv error. */
export function violationOf(error: ErrorObject): FieldProblem {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const child = params.missingProperty ?? params.additionalProperty;
  const field = `/payload${error.instancePath}${child !== undefined ? `/${token(child)}` : ''}`;
  const message =
    error.keyword === 'additionalProperties'
      ? 'is not allowed by the schema'
      : error.keyword === 'required'
        ? 'is required'
        : (error.message ?? `fails ${error.keyword}`);
  return { field, message };
}

/** ajv's errors as field problems, duplicates folded, at most MAX_VIOLATIONS. */
export function violationsOf(errors: readonly ErrorObject[]): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const error of errors) {
    const problem = violationOf(error);
    const key = `${problem.field}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
    if (problems.length === MAX_VIOLATIONS) break;
  }
  return problems;
}

/**
 * Compiles a schema, or names why it is not a valid draft 2020-12 schema. Strict mode refuses unknown
 * keywords and formats and type-less applicators, so a typo in a schema is an error here rather than a
 * rule that never applies; union types (`["string", "null"]`) and `required` names declared in a
 * sibling subschema stay allowed, as the specification allows them. Each schema gets its own ajv
 * instance, so two versions may share an `$id`.
 */
export function compileSchema(schema: unknown): Compiled {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return { ok: false, problem: 'a schema must be a JSON object' };
  }
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
  return {
    ok: true,
    validate: (payload) => (validate(payload) ? undefined : violationsOf(validate.errors ?? [])),
  };
}
