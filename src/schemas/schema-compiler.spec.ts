import { compileSchema, MAX_VIOLATIONS, violationsOf } from './schema-compiler';

const order = {
  type: 'object',
  required: ['amount', 'currency'],
  properties: {
    amount: { type: 'number', minimum: 0 },
    currency: { type: 'string', enum: ['EUR', 'USD'] },
    lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
    'a/b~c': { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
  },
  additionalProperties: false,
};

function check(schema: unknown, payload: unknown) {
  const compiled = compileSchema(schema);
  if (!compiled.ok) throw new Error(compiled.problem);
  return compiled.validate(payload);
}

describe('compileSchema', () => {
  it('accepts a conforming payload', () => {
    expect(check(order, { amount: 3, currency: 'EUR', at: '2026-01-01T00:00:00Z' })).toBeUndefined();
  });

  it('points at the payload field that breaks a rule', () => {
    expect(check(order, { amount: 'ten', currency: 'EUR' })).toEqual([
      { field: '/payload/amount', message: 'must be number' },
    ]);
  });

  it('points at a missing property itself, not at its parent', () => {
    expect(check(order, { amount: 1 })).toEqual([{ field: '/payload/currency', message: 'is required' }]);
  });

  it('points at a property the schema does not allow', () => {
    expect(check(order, { amount: 1, currency: 'EUR', extra: true })).toEqual([
      { field: '/payload/extra', message: 'is not allowed by the schema' },
    ]);
  });

  it('points into arrays and escapes ~ and / in property names (RFC 6901)', () => {
    expect(
      check(order, { amount: 1, currency: 'EUR', lines: [{ sku: 'a' }, { sku: 2 }], 'a/b~c': 1.5 }),
    ).toEqual(
      expect.arrayContaining([
        { field: '/payload/lines/1/sku', message: 'must be string' },
        { field: '/payload/a~1b~0c', message: 'must be integer' },
      ]),
    );
  });

  it('reports every broken rule, and checks formats', () => {
    const problems = check(order, { amount: -1, currency: 'GBP', at: 'yesterday' });
    expect(problems?.map((p) => p.field).sort()).toEqual([
      '/payload/amount',
      '/payload/at',
      '/payload/currency',
    ]);
  });

  it.each([
    [{ type: 'object', propertys: {} }, /unknown keyword: "propertys"/],
    [{ type: 'strin' }, /type must be equal to one of the allowed values/],
    [{ type: 'string', format: 'no-such-format' }, /unknown format "no-such-format"/],
    [{ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }, /draft-07/],
    [[{ type: 'object' }], /a schema must be a JSON object/],
    ['object', /a schema must be a JSON object/],
  ])('names why %j is not a valid draft 2020-12 schema', (schema, problem) => {
    const compiled = compileSchema(schema);
    expect(compiled.ok).toBe(false);
    expect(!compiled.ok && compiled.problem).toMatch(problem);
  });

  it('allows union types and required names declared elsewhere', () => {
    expect(check({ type: ['string', 'null'] }, null)).toBeUndefined();
    const schema = { type: 'object', required: ['n'], allOf: [{ properties: { n: { type: 'integer' } } }] };
    expect(check(schema, {})).toEqual([{ field: '/payload/n', message: 'is required' }]);
  });

  it('lets two schemas share an $id', () => {
    const schema = { $id: 'https://example.com/order', type: 'object' };
    expect(compileSchema(schema).ok).toBe(true);
    expect(compileSchema(schema).ok).toBe(true);
  });
});

describe('violationsOf', () => {
  it('folds repeated problems and keeps at most MAX_VIOLATIONS', () => {
    const errors = Array.from({ length: 50 }, (_, i) => ({
      keyword: 'type',
      instancePath: `/x${i % 30}`,
      schemaPath: '#/type',
      params: {},
      message: 'must be string',
    }));
    const problems = violationsOf(errors);
    expect(problems).toHaveLength(MAX_VIOLATIONS);
    expect(new Set(problems.map((p) => p.field)).size).toBe(MAX_VIOLATIONS);
  });
});
