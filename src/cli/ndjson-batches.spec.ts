import { batchBody, Chunk, chunks } from './ndjson-batches';

async function* from(lines: string[]): AsyncGenerator<string> {
  for (const l of lines) yield l;
}

async function all(lines: string[], maxEvents: number, maxBytes = 1_000_000): Promise<Chunk[]> {
  const out: Chunk[] = [];
  for await (const c of chunks(from(lines), { maxEvents, maxBytes })) out.push(c);
  return out;
}

const numbers = (c: Chunk) => (c.kind === 'batch' ? c.lines.map((l) => l.no) : [c.line.no]);

describe('chunks', () => {
  it('cuts batches at the event limit and keeps line numbers', async () => {
    const got = await all(['{"a":1}', '{"a":2}', '{"a":3}'], 2);
    expect(got.map((c) => [c.kind, numbers(c)])).toEqual([
      ['batch', [1, 2]],
      ['batch', [3]],
    ]);
  });

  it('cuts batches before the body would pass the byte limit, counting the envelope', async () => {
    const line = `{"p":"${'x'.repeat(20)}"}`; // 28 bytes, 29 with its comma
    const got = await all([line, line, line], 500, 13 + 29 * 2);
    expect(got.map(numbers)).toEqual([[1, 2], [3]]);
    const first = got[0];
    expect(first.kind === 'batch' && Buffer.byteLength(batchBody(first.lines))).toBeLessThanOrEqual(
      13 + 29 * 2,
    );
  });

  it('sends a line larger than the limit alone rather than dropping it', async () => {
    const big = `{"p":"${'x'.repeat(100)}"}`;
    expect((await all(['{}', big, '{}'], 500, 50)).map(numbers)).toEqual([[1], [2], [3]]);
  });

  it('sets lines that are not JSON apart, skips blank lines and strips a CR', async () => {
    const got = await all(['{"a":1}\r', '', 'not json', '   ', '{"a":2}'], 10);
    expect(got).toEqual([
      { kind: 'invalid', line: { no: 3, text: 'not json' } },
      {
        kind: 'batch',
        lines: [
          { no: 1, text: '{"a":1}' },
          { no: 5, text: '{"a":2}' },
        ],
        bytes: 13 + 8 + 8,
      },
    ]);
  });

  it('builds a body holding each line byte for byte', () => {
    const lines = [
      { no: 1, text: '{"n": 1.50, "s":"é"}' },
      { no: 2, text: '{ "n":2 }' },
    ];
    expect(batchBody(lines)).toBe('{"events":[{"n": 1.50, "s":"é"},{ "n":2 }]}');
    expect(JSON.parse(batchBody(lines)).events).toHaveLength(2);
  });
});
