import fc from 'fast-check';
import { MAX_JSON_DEPTH, MAX_PROBLEMS, numberProblem, portabilityProblems } from './portable-json';

const problems = (text: string | Buffer, path?: string) =>
  portabilityProblems(typeof text === 'string' ? Buffer.from(text) : text, path);

describe('numberProblem', () => {
  it.each([
    '0',
    '-0',
    '0.1',
    '1.50',
    '1E2',
    '1e+21',
    '-12.5e-3',
    '9007199254740991',
    '5e-324',
    '1.7976931348623157e308',
    '0.30000000000000004',
    '0e99999',
  ])('accepts %s, which every parser reads as the same double', (literal) => {
    expect(numberProblem(literal)).toBeUndefined();
  });

  it.each([
    ['12345678901234567890', 'precision'],
    ['9007199254740993', 'precision'],
    ['0.10000000000000001', 'precision'],
    ['1e-400', 'precision'],
    ['1e400', 'range'],
    ['-1e309', 'range'],
  ])('refuses %s (%s)', (literal, kind) => {
    expect(numberProblem(literal)).toContain(kind);
  });

  it('accepts the shortest form of any double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(numberProblem(String(n))).toBeUndefined();
      }),
    );
  });
});

describe('portabilityProblems', () => {
  it('passes ordinary JSON, whatever its spacing', () => {
    expect(problems('{"a": [1, 2.5, {"b": "c\\n\\u00e9 😀"}], "d": null, "e": true}')).toEqual([]);
    expect(problems(' \r\n\t{ } ')).toEqual([]);
    expect(problems('"\\ud83d\\ude00"')).toEqual([]);
  });

  it('refuses a byte order mark and invalid UTF-8 for the whole text', () => {
    expect(problems(Buffer.from('\ufeff{}'))).toEqual([
      { field: '(body)', message: expect.stringContaining('byte order mark') },
    ]);
    const bad = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    expect(problems(bad, 'events[3]')).toEqual([{ field: 'events[3]', message: 'is not valid UTF-8' }]);
  });

  it('names duplicate keys, lossy numbers and lone surrogates by their path', () => {
    const found = problems(
      '{"payload":{"a":1,"a":1,"items":[{"price":12345678901234567890}],"s":"\\ud800","k\\udc00":0}}',
    );
    expect(found.map((p) => p.field)).toEqual([
      'payload.a',
      'payload.items[0].price',
      'payload.s',
      'payload["k\\udc00"]',
    ]);
  });

  it('finds a repeated key in an object of any size', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
    expect(problems(`{${keys.join(',')},"k3":0,"k39":1}`).map((p) => p.field)).toEqual(['k3', 'k39']);
    expect(problems(`{${keys.join(',')}}`)).toEqual([]);
    expect(problems('{"a":1,"\\u0061":2}').map((p) => p.field)).toEqual(['a']);
  });

  it('refuses prototype-poisoning keys anywhere', () => {
    expect(problems('{"payload":{"x":{"__proto__":{}}}}').map((p) => p.field)).toEqual([
      'payload.x.__proto__',
    ]);
    expect(problems('{"constructor":{"prototype":{}}}').map((p) => p.field)).toEqual([
      'constructor.prototype',
    ]);
    expect(problems('{"constructor":1,"prototype":2}')).toEqual([]);
  });

  it('refuses nesting past the limit without recursing into it', () => {
    const at = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(problems(at(MAX_JSON_DEPTH))).toEqual([]);
    expect(problems(at(MAX_JSON_DEPTH + 1))).toEqual([
      { field: `${'[0]'.repeat(MAX_JSON_DEPTH)}`, message: expect.stringContaining('nested deeper') },
    ]);
    expect(problems(`{"a":${at(200_000)},"b":1e999}`).map((p) => p.field)).toEqual([
      `a${'[0]'.repeat(MAX_JSON_DEPTH - 1)}`,
      'b',
    ]);
  });

  it('reports a bounded number of problems', () => {
    const text = `[${Array.from({ length: 1000 }, () => '1e999').join(',')}]`;
    expect(problems(text)).toHaveLength(MAX_PROBLEMS);
  });

  it('finds nothing in what JSON.stringify writes from well-formed values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        const text = JSON.stringify(value);
        fc.pre(!/"__proto__":/.test(text) && !text.includes('"prototype"'));
        expect(problems(text)).toEqual([]);
      }),
    );
  });
});
