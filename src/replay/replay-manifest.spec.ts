import fc from 'fast-check';
import {
  ManifestEntry,
  lineStarts,
  ManifestReader,
  PARSE_CHUNK_BYTES,
  parsePart as parseBytes,
  partBytes,
  WRITE_CHUNK_CHARS,
} from './replay-manifest';

const parsePart = (text: string, chunkBytes?: number) => parseBytes(Buffer.from(text), chunkBytes);
/** A part's text as written (the NDJSON the runner and `aws s3 cp` read). */
const partBody = (entries: readonly ManifestEntry[]): string => partBytes(entries).toString('utf8');
/** NDJSON by its definition: each entry's JSON, each line ended by a line break. */
const ndjson = (entries: readonly ManifestEntry[]): string =>
  entries.map((e) => `${JSON.stringify(e)}\n`).join('');

const entryArb: fc.Arbitrary<ManifestEntry> = fc.record(
  {
    event_id: fc.string(),
    s3_key: fc.string({ unit: 'grapheme' }),
    s3_range: fc.tuple(fc.nat(), fc.nat()),
    payload_sha256: fc.string(),
    source: fc.string({ unit: 'grapheme' }),
    type: fc.string({ unit: 'grapheme' }),
    entity_id: fc.string({ unit: 'grapheme' }),
    occurred_at: fc.string(),
    size_bytes: fc.nat(),
  },
  {
    requiredKeys: [
      'event_id',
      's3_key',
      'payload_sha256',
      'source',
      'type',
      'entity_id',
      'occurred_at',
      'size_bytes',
    ],
  },
);

describe('manifest parts', () => {
  it('read back every entry as written, in order, whatever its strings hold (line breaks included)', () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 20 }),
        fc.constantFrom('\n', 'a\nb', '\u2028'),
        (entries, s) => {
          const withBreaks = entries.map((e) => ({ ...e, entity_id: e.entity_id + s }));
          expect(parsePart(partBody(withBreaks))).toEqual(withBreaks);
        },
      ),
    );
  });

  it('read the same entries whatever the chunks it is decoded in, characters of any width across their edges', () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 12 }),
        fc.integer({ min: 1, max: 400 }),
        (entries, chunk) => {
          // Lines longer than a chunk included (a chunk of 1 byte holds no whole line).
          expect(parsePart(partBody(entries), chunk)).toEqual(entries);
          expect(parsePart(partBody(entries).trimEnd(), chunk)).toEqual(entries);
        },
      ),
    );
  });

  it('are written as NDJSON, the same bytes whatever the chunks they are built in', () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 12 }),
        fc.integer({ min: 1, max: 400 }),
        (entries, chunk) => {
          // Lines longer than a chunk included, and characters past Latin-1 across chunk edges.
          expect(partBytes(entries, chunk).equals(Buffer.from(ndjson(entries)))).toBe(true);
        },
      ),
    );
  });

  it('are written and read at the default chunk sizes over many chunks, characters of two and three bytes included', () => {
    const entries = Array.from(
      { length: 3000 },
      (_, i) =>
        ({ event_id: `e-${i}-${(i % 2 ? '\u4e2d' : 'é').repeat(i % 50)}`, size_bytes: i }) as ManifestEntry,
    );
    const bytes = partBytes(entries);
    // Many chunks each way: more than 4 written ones and more than 3 read ones.
    expect(ndjson(entries).length).toBeGreaterThan(4 * WRITE_CHUNK_CHARS);
    expect(bytes.length).toBeGreaterThan(4 * 2 * WRITE_CHUNK_CHARS);
    expect(bytes.length).toBeGreaterThan(3 * PARSE_CHUNK_BYTES);
    expect(bytes.equals(Buffer.from(ndjson(entries)))).toBe(true);
    expect(parseBytes(bytes)).toEqual(entries);
  });

  it('refuse a bad line in a later chunk, and skip empty lines at chunk edges', () => {
    expect(parsePart('{"a":1}\n\n\n{"b":2}\n\n', 8)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(() => parsePart('{"a":1}\n{"b":2}\n{"c":3},{"d":4}\n', 9)).toThrow();
  });

  it('read a part without its last line break, and an empty one', () => {
    const e = { event_id: 'a'.repeat(32), size_bytes: 1 } as ManifestEntry;
    expect(parsePart(partBody([e, e]).trimEnd())).toEqual([e, e]);
    expect(parsePart('')).toEqual([]);
  });

  it('skip an empty line, as reading line by line always did', () => {
    expect(parsePart('{"a":1}\n\n{"b":2}\n\n')).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('refuse a part whose line holds two values or none, as parsing line by line did', () => {
    expect(() => parsePart('{"a":1},{"b":2}\n{"c":3}\n')).toThrow();
    expect(() => parsePart('{"a":1}\n \n')).toThrow();
  });

  it('serve slices across parts in order, each from its own part', async () => {
    const entries = Array.from(
      { length: 25 },
      (_, i) => ({ event_id: String(i), size_bytes: i }) as ManifestEntry,
    );
    const parts = [entries.slice(0, 10), entries.slice(10, 20), entries.slice(20)].map(partBody);
    const read: string[] = [];
    const reader = new ManifestReader(
      { parts: ['p0', 'p1', 'p2'], part_size: 10, matched: 25 } as never,
      async (key) => {
        read.push(key);
        return Buffer.from(parts[Number(key.slice(1))]);
      },
    );
    const got: ManifestEntry[] = [];
    const sizes: number[] = [];
    for (let first = 0; first < 25;) {
      const slice = await reader.slice(first, 4);
      got.push(...slice);
      sizes.push(slice.length);
      first += slice.length;
    }
    expect(got).toEqual(entries);
    // A slice never crosses its part's end.
    expect(sizes).toEqual([4, 4, 2, 4, 4, 2, 4, 1]);
    expect(read).toEqual(['p0', 'p1', 'p2']);
  });

  it('find where each line that holds something starts, empty lines and a missing last break included', () => {
    expect(lineStarts(Buffer.from('{"a":1}\n\n{"b":2}\n'))).toEqual([0, 9]);
    expect(lineStarts(Buffer.from('\n{"a":1}\n{"b":2}'))).toEqual([1, 9]);
    expect(lineStarts(Buffer.from(''))).toEqual([]);
    expect(lineStarts(Buffer.from('\n\n'))).toEqual([]);
  });

  it('serve, slice by slice, exactly the entries parsing the whole parts gives, whatever the slice sizes and empty lines', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(3), { minLength: 1, maxLength: 10 }),
        async (entries, partSize, counts, blanks) => {
          const keys: string[] = [];
          const bodies = new Map<string, Buffer>();
          for (let i = 0; i < entries.length; i += partSize) {
            // Empty lines before, between and after entries, as a part written by hand might hold
            // (skipped, never an entry), and the last line break left out when `blanks` starts at 0.
            const lines = entries
              .slice(i, i + partSize)
              .map((e, j) => '\n'.repeat(blanks[(j + 1) % blanks.length]) + JSON.stringify(e));
            if (blanks[0] > 0) lines.push('\n'.repeat(blanks[0]));
            const key = `p${keys.length}`;
            keys.push(key);
            bodies.set(key, Buffer.from(lines.join('\n')));
          }
          const reader = new ManifestReader(
            { parts: keys, part_size: partSize, matched: entries.length } as never,
            async (key) => bodies.get(key)!,
          );
          const got: ManifestEntry[] = [];
          for (let first = 0, n = 0; first < entries.length; n++) {
            const slice = await reader.slice(first, counts[n % counts.length]);
            expect(slice.length).toBeGreaterThan(0);
            got.push(...slice);
            first += slice.length;
          }
          expect(got).toEqual(keys.flatMap((k) => parseBytes(bodies.get(k)!)));
          expect(got).toEqual(entries);
        },
      ),
    );
  });

  it('fail only the slice that holds a line that is not one entry: the slices before it are served', async () => {
    const line = (i: number) => `{"event_id":"${i}","size_bytes":${i}}\n`;
    const body = Buffer.from([0, 1, 2, 3].map(line).join('') + '{"a":1},{"b":2}\n' + line(5));
    const reader = new ManifestReader({ parts: ['p0'], part_size: 6, matched: 6 } as never, async () => body);
    expect((await reader.slice(0, 2)).map((e) => e.event_id)).toEqual(['0', '1']);
    expect((await reader.slice(2, 2)).map((e) => e.event_id)).toEqual(['2', '3']);
    await expect(reader.slice(4, 2)).rejects.toThrow(SyntaxError);
    expect((await reader.slice(5, 2)).map((e) => e.event_id)).toEqual(['5']);
  });

  it('read lines ended by CRLF, and give nothing past the end of the manifest', async () => {
    const body = Buffer.from('{"event_id":"0","size_bytes":0}\r\n{"event_id":"1","size_bytes":1}\r\n');
    const reader = new ManifestReader({ parts: ['p0'], part_size: 5, matched: 2 } as never, async () => body);
    expect((await reader.slice(0, 5)).map((e) => e.event_id)).toEqual(['0', '1']);
    expect(await reader.slice(2, 5)).toEqual([]);
  });

  it('fail, naming the part, when a part holds fewer entries than the manifest counts', async () => {
    const line = (i: number) => `{"event_id":"${i}","size_bytes":${i}}\n`;
    const parts: Record<string, string> = { p0: [0, 1].map(line).join(''), p1: [3, 4].map(line).join('') };
    // p0 should hold 3 entries (part_size) and holds 2: entry 2 is missing, and would shift every later one.
    const reader = new ManifestReader(
      { parts: ['p0', 'p1'], part_size: 3, matched: 5 } as never,
      async (key) => Buffer.from(parts[key]),
    );
    expect((await reader.slice(0, 3)).map((e) => e.event_id)).toEqual(['0', '1']);
    await expect(reader.slice(2, 3)).rejects.toThrow(
      'manifest part p0 holds 2 entries; entry 2 was asked for',
    );
  });
});
