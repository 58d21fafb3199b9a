import { jsonProblem } from './json-limits';

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe('json limits', () => {
  it('counts the value itself as level 1', () => {
    expect(jsonProblem({}, 1)).toBeUndefined();
    expect(jsonProblem(nested(3), 3)).toBeUndefined();
    expect(jsonProblem(nested(4), 3)).toEqual({
      kind: 'depth',
      field: 'a.a.a',
      message: 'a.a.a is nested deeper than 3 levels',
    });
    expect(jsonProblem(nested(4), 3, 'payload')?.field).toBe('payload.a.a.a');
  });

  it('walks a million levels without overflowing the stack', () => {
    expect(jsonProblem(nested(1_000_000), 32, 'payload')?.kind).toBe('depth');
  });

  it('names a number outside the double range, in arrays and odd keys too', () => {
    expect(jsonProblem({ items: [1, { 'unit price': Infinity }] }, 10, 'payload')).toEqual({
      kind: 'number',
      field: 'payload.items[1]["unit price"]',
      message: 'payload.items[1]["unit price"] is beyond the range of a 64-bit float',
    });
    expect(jsonProblem(JSON.parse('{"x":-1e400}') as unknown, 10)?.field).toBe('x');
    expect(jsonProblem(-Infinity, 10)?.field).toBe('(body)');
    expect(jsonProblem({ big: 1.7976931348623157e308, small: 5e-324 }, 10)).toBeUndefined();
  });
});
