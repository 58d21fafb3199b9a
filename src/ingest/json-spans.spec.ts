import fc from 'fast-check';
import { eventSpans } from './json-spans';

const spaces = fc.constantFrom('', ' ', '\n', '\t ', '\r\n  ');

describe('eventSpans', () => {
  it('finds each element exactly as written', () => {
    const text =
      '{"meta":{"a":[1,2]}, "events" : [ {"x":"]}\\"" } ,\n[1, {"y":2}] , "s",12.5e3,true,null ] }';
    const buf = Buffer.from(text);
    const spans = eventSpans(buf).events!;
    expect(spans.map(([a, b]) => buf.subarray(a, b).toString())).toEqual([
      '{"x":"]}\\"" }',
      '[1, {"y":2}]',
      '"s"',
      '12.5e3',
      'true',
      'null',
    ]);
  });

  it('handles multi-byte characters and an empty array', () => {
    const buf = Buffer.from('{"events":[{"name":"café 😀 {"}]}');
    const [[a, b]] = eventSpans(buf).events!;
    expect(buf.subarray(a, b).toString()).toBe('{"name":"café 😀 {"}');
    expect(eventSpans(Buffer.from('{"events":[]}')).events).toEqual([]);
    expect(eventSpans(Buffer.from('{"other":1}'))).toEqual({ keys: ['other'] });
    expect(eventSpans(Buffer.from('{}'))).toEqual({ keys: [] });
  });

  it('agrees with JSON.parse on arbitrary JSON and whitespace', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), spaces, spaces, (values, s1, s2) => {
        const items = values.map((v) => `${s1}${JSON.stringify(v, null, s2.length > 1 ? 1 : 0)}${s2}`);
        const buf = Buffer.from(
          `{${s2}"before":${JSON.stringify(values[0] ?? 0)},"events":[${items.join(',')}]${s1}}`,
        );
        const spans = eventSpans(buf).events!;
        expect(spans).toHaveLength(values.length);
        spans.forEach(([a, b], i) => {
          const text = buf.subarray(a, b).toString();
          expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(values[i])));
          expect(text).toBe(text.trim());
        });
      }),
    );
  });
});
