// The OpenAPI document states the input rules twice removed from the code that enforces them: the
// class-validator decorators of each DTO check requests, its @ApiProperty decorators describe them.
// This spec reads both from every class of every src/**/*.dto.ts and fails where they disagree, so
// a rule added to a DTO without its line in the document (or the reverse) does not get through.
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RFC3339 } from '../validation/event-fields';

const SRC = join(__dirname, '..', '..');
const SWAGGER_PROPERTY = 'swagger/apiModelProperties';

type Json = Record<string, unknown>;

/** The `*.dto.ts` files, and any other source file that exports a `*Dto` class. */
function dtoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return dtoFiles(path);
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts')) return [];
    const dto = entry.name.endsWith('.dto.ts') || /^export class \w+Dto\b/m.test(readFileSync(path, 'utf8'));
    return dto ? [path] : [];
  });
}

type Class = abstract new (...args: never[]) => unknown;

async function dtoClasses(): Promise<Class[]> {
  const modules = await Promise.all(
    dtoFiles(SRC).map((file) => import(file) as Promise<Record<string, unknown>>),
  );
  return modules.flatMap((exports) =>
    Object.values(exports).filter(
      (value): value is Class =>
        typeof value === 'function' &&
        getMetadataStorage().getTargetValidationMetadatas(value, '', true, false).length > 0,
    ),
  );
}

/** The schema keywords each class-validator rule implies, from its constraints. */
const RULES: Record<string, (c: unknown[]) => Json> = {
  isLength: (c) => ({ minLength: c[0], maxLength: c[1] }),
  // JSON Schema's date-time format is RFC 3339 with an offset: the same rule, said plainly.
  matches: (c) =>
    (c[0] as RegExp).source === RFC3339.source
      ? { format: 'date-time' }
      : { pattern: (c[0] as RegExp).source },
  min: (c) => ({ minimum: c[0] }),
  max: (c) => ({ maximum: c[0] }),
  isInt: () => ({ type: 'integer' }),
  isNumber: () => ({ type: 'number' }),
  isBoolean: () => ({ type: 'boolean' }),
  isIn: (c) => ({ enum: c[0] }),
  arrayMinSize: (c) => ({ minItems: c[0] }),
  arrayMaxSize: (c) => ({ maxItems: c[0] }),
};

/** What the validators of one property imply for its documented schema. */
function expectedSchema(rules: ValidationMetadata[]): Json {
  const expected: Json = {};
  let optional = false;
  for (const rule of rules) {
    const c = (rule.constraints ?? []) as unknown[];
    const target = rule.each ? 'items' : 'self';
    const put = (key: string, value: unknown) => {
      if (target === 'items') expected[`items.${key}`] = value;
      else expected[key] = value;
    };
    if (rule.type === 'conditionalValidation') optional = true;
    for (const [key, value] of Object.entries(RULES[rule.name ?? '']?.(c) ?? {})) put(key, value);
  }
  expected.required = !optional;
  return expected;
}

/** The same keys as the @ApiProperty metadata states them. */
function documentedSchema(meta: Json, keys: string[]): Json {
  const items = (meta.items ?? {}) as Json;
  const typeName = (t: unknown) => (typeof t === 'function' ? t.name.toLowerCase() : t);
  return Object.fromEntries(
    keys.map((key) => {
      const value = key.startsWith('items.') ? items[key.slice(6)] : meta[key];
      if (key === 'pattern' || key === 'items.pattern')
        return [key, value instanceof RegExp ? value.source : value];
      if (key === 'type') return [key, typeName(value)];
      if (key === 'required') return [key, meta.required !== false];
      return [key, value];
    }),
  );
}

describe('the DTOs as the OpenAPI document describes them', () => {
  let classes: Class[];
  beforeAll(async () => {
    classes = await dtoClasses();
  });

  it('finds the DTOs', () => {
    expect(classes.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'IngestEventDto',
        'ListEventsQueryDto',
        'CreateReplayDto',
        'AggregatesQueryDto',
      ]),
    );
  });

  it('documents every validated field with the limits its validators enforce', () => {
    const disagreements: string[] = [];
    for (const dto of classes) {
      const rules = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
      for (const property of [...new Set(rules.map((r) => r.propertyName))]) {
        const meta = Reflect.getMetadata(SWAGGER_PROPERTY, dto.prototype as object, property) as
          Json | undefined;
        if (!meta) {
          disagreements.push(`${dto.name}.${property}: validated but has no @ApiProperty`);
          continue;
        }
        const expected = expectedSchema(rules.filter((r) => r.propertyName === property));
        const documented = documentedSchema(meta, Object.keys(expected));
        for (const key of Object.keys(expected)) {
          if (JSON.stringify(expected[key]) !== JSON.stringify(documented[key])) {
            disagreements.push(
              `${dto.name}.${property}: validators say ${key} ${JSON.stringify(expected[key])}, ` +
                `@ApiProperty says ${JSON.stringify(documented[key])}`,
            );
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
  });
});
