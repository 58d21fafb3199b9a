// The frozen selection of a replay: what it will send, fixed at creation and kept in S3 under
// replays/<replay_id>/ so the job is auditable and later index changes cannot alter it. A header
// (manifest.json) names NDJSON parts of PART_SIZE entries; the runner reads parts, never the index.
// Parts are written as the selection streams in, so no replay holds its whole selection in memory.
import type { EventRecord } from '../shared/events/event-index';
import type { ReplayedEvent } from '../shared/contracts/replay-message';
import type { ReplayFilter } from './replay-job-store';

export const PART_SIZE = 1000;

/** One event to replay, as the queue message needs it, plus its size for the plan. */
export type ManifestEntry = ReplayedEvent & { size_bytes: number };

export interface ManifestHeader {
  replay_id: string;
  created_at: string;
  requested_by: string;
  reason: string;
  filter: ReplayFilter;
  queue: string;
  /** The output format of its messages (absent in manifests written before formats: `pointer`). */
  format?: string;
  matched: number;
  bytes: number;
  truncated: boolean;
  part_size: number;
  parts: string[];
}

/** Where every object of one replay's manifest is kept. */
export const manifestPrefix = (replayId: string): string => `replays/${replayId}/`;
export const manifestKey = (replayId: string): string => `${manifestPrefix(replayId)}manifest.json`;
export const partKey = (replayId: string, part: number): string =>
  `${manifestPrefix(replayId)}part-${String(part).padStart(5, '0')}.ndjson`;

export function toEntry(e: EventRecord): ManifestEntry {
  return {
    event_id: e.event_id,
    s3_key: e.s3_key,
    ...(e.s3_range ? { s3_range: e.s3_range } : {}),
    payload_sha256: e.payload_sha256,
    source: e.source,
    type: e.type,
    entity_id: e.entity_id,
    occurred_at: e.occurred_at,
    size_bytes: e.size_bytes,
  };
}

/**
 * Characters of a part joined into one string at most while it is written: under 64 KiB of V8 heap
 * even at two bytes a character, so never a large-object string (see PARSE_CHUNK_BYTES). A part of
 * 1,000 entries took 4.6 ms to build as one string and encode, and 1.2 ms in chunks
 * (docs/benchmarks.md).
 */
export const WRITE_CHUNK_CHARS = 32 * 1024;

/**
 * One NDJSON part's bytes: each entry's JSON on a line of its own, every line ended by `\n`. Built
 * from chunks of whole lines of at most `chunkChars` characters (or one longer line alone).
 */
export function partBytes(entries: readonly ManifestEntry[], chunkChars = WRITE_CHUNK_CHARS): Buffer {
  const chunks: Buffer[] = [];
  let lines: string[] = [];
  let chars = 0;
  for (const e of entries) {
    const line = `${JSON.stringify(e)}\n`;
    if (lines.length > 0 && chars + line.length > chunkChars) {
      chunks.push(Buffer.from(lines.join('')));
      lines = [];
      chars = 0;
    }
    lines.push(line);
    chars += line.length;
  }
  if (lines.length > 0) chunks.push(Buffer.from(lines.join('')));
  return Buffer.concat(chunks);
}

/** Parts being written at once while a selection streams in; bounds the memory a creation holds. */
const PARTS_IN_FLIGHT = 4;

/**
 * Writes a selection's parts as it streams in: every PART_SIZE entries become one part, written while
 * the next ones are read, with at most PARTS_IN_FLIGHT writes pending. `finish` writes the last part
 * and answers the keys of all of them, in order.
 */
export class ManifestPartWriter {
  private buffered: ManifestEntry[] = [];
  private readonly keys: string[] = [];
  private readonly pending: Promise<void>[] = [];
  private failure?: Error;

  constructor(
    private readonly replayId: string,
    private readonly write: (key: string, body: Buffer) => Promise<void>,
  ) {}

  async add(entries: readonly ManifestEntry[]): Promise<void> {
    for (const e of entries) {
      this.buffered.push(e);
      if (this.buffered.length === PART_SIZE) await this.flush();
    }
  }

  /** Waits for every write in flight, whatever their outcome: after a failed selection. */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }

  async finish(): Promise<string[]> {
    if (this.buffered.length > 0) await this.flush();
    await Promise.all(this.pending);
    this.check();
    return this.keys;
  }

  private async flush(): Promise<void> {
    this.check();
    const key = partKey(this.replayId, this.keys.length);
    const body = partBytes(this.buffered);
    this.keys.push(key);
    this.buffered = [];
    // A failed write is kept and thrown by the next flush or finish, never left unhandled.
    this.pending.push(
      this.write(key, body).catch((err: unknown) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
      }),
    );
    if (this.pending.length >= PARTS_IN_FLIGHT) await this.pending.shift();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

/**
 * Bytes of a part decoded and parsed at once: whole lines, under 128 KiB. V8 gives every string of
 * 128 KiB or more pages of its own (its large-object space), which on the machines measured cost
 * about 30 times more per byte than a smaller string: a part of 1,000 entries (333 KB) took 4.0 ms
 * to decode and parse as one string, and 1.0 ms in chunks of 64 KiB (docs/benchmarks.md).
 */
export const PARSE_CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * The entries of one NDJSON part, read from its bytes in chunks of whole lines (`chunkBytes`, or
 * one longer line on its own). A line break byte is never inside a UTF-8 character, so a chunk
 * never splits one.
 */
export function parsePart(body: Buffer, chunkBytes = PARSE_CHUNK_BYTES): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  for (let start = 0; start < body.length;) {
    let end = Math.min(body.length, start + chunkBytes);
    if (end < body.length) {
      const last = body.lastIndexOf(NEWLINE, end - 1);
      // No line ends in the window: this line is longer than a chunk, and is read alone.
      const next = last >= start ? last : body.indexOf(NEWLINE, end);
      end = next === -1 ? body.length : next + 1;
    }
    for (const entry of parseLines(body.toString('utf8', start, end))) entries.push(entry);
    start = end;
  }
  return entries;
}

function parseLines(chunk: string): ManifestEntry[] {
  // One parse of the lines as one array, not one per line: each line is a JSON object, and JSON text
  // holds no raw line break, so the lines joined by commas are exactly the array's elements. Joined
  // in place (replaceAll), not split into many strings and joined again.
  const text = chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk;
  let lines = text.length === 0 ? 0 : 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines += 1;
  try {
    const entries = JSON.parse(`[${text.replaceAll('\n', ',')}]`) as ManifestEntry[];
    if (entries.length === lines) return entries;
  } catch {
    // Read line by line below, which says what is wrong.
  }
  // Not one value per line (an empty line, two values on one, a bad line): the lines one by one, as
  // parts were always read. Empty lines are skipped; a line holding two values, or none, throws.
  return chunk
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ManifestEntry);
}

/**
 * Where each line that holds something starts in a part's bytes (an empty line holds nothing and is
 * skipped, as parsePart skips it): entry `i` of the part is the line starting at `starts[i]`.
 */
export function lineStarts(body: Buffer): number[] {
  const starts: number[] = [];
  for (let at = 0; at < body.length;) {
    const next = body.indexOf(NEWLINE, at);
    const end = next === -1 ? body.length : next;
    if (end > at) starts.push(at);
    at = end + 1;
  }
  return starts;
}

/** A part as the reader holds it: its bytes, and where each of its entries' lines starts. */
interface HeldPart {
  body: Buffer;
  starts: number[];
}

/**
 * Reads a manifest's entries in order, one part at a time, fetching the next part while the current
 * one is sent, and keeping at most those two. A part is held as its bytes (outside V8's heap), and
 * each slice parses only its own lines, so the sending thread holds a block's entries, not a whole
 * part's 1,000: the replay bench's mean ratio to its floor rose by 0.036, 35 runs each, interleaved
 * (docs/benchmarks.md). A line that is not an entry fails the slice that holds it, and a part
 * holding fewer entries than the manifest counts fails the slice that asks past its end.
 */
export class ManifestReader {
  private readonly parts = new Map<number, Promise<HeldPart>>();

  constructor(
    private readonly header: ManifestHeader,
    private readonly read: (key: string) => Promise<Buffer>,
  ) {}

  /** Up to `count` entries from `from`, never past the end of its part. */
  async slice(from: number, count: number): Promise<ManifestEntry[]> {
    const index = Math.floor(from / this.header.part_size);
    for (const held of this.parts.keys()) if (held < index) this.parts.delete(held);
    const { body, starts } = await this.part(index);
    // Prefetched; a failure is thrown when the part is needed, never left unhandled.
    if (index + 1 < this.header.parts.length) this.part(index + 1).catch(() => undefined);
    const offset = from - index * this.header.part_size;
    const end = Math.min(offset + count, starts.length);
    if (offset >= end) {
      // Past the manifest's end there is nothing to read; before it, a part is shorter than it says.
      if (from >= this.header.matched || count <= 0) return [];
      throw new Error(
        `manifest part ${this.header.parts[index]} holds ${starts.length} entries; entry ${offset} was asked for`,
      );
    }
    const lastBreak = body.indexOf(NEWLINE, starts[end - 1]);
    // Exactly end - offset entries: parsePart reads one value from each non-empty line, or throws.
    return parsePart(body.subarray(starts[offset], lastBreak === -1 ? body.length : lastBreak));
  }

  private part(index: number): Promise<HeldPart> {
    let part = this.parts.get(index);
    if (!part) {
      part = this.read(this.header.parts[index]).then((body) => ({ body, starts: lineStarts(body) }));
      this.parts.set(index, part);
    }
    return part;
  }
}
