// Cuts an NDJSON stream into /ingest/batch requests. Each line's text goes into the request exactly
// as read, so the service keeps the producer's bytes; a line that is not JSON cannot sit inside a
// batch, so it travels alone to POST /ingest, which refuses it and keeps it as a rejected row.

export interface Line {
  /** 1-based line number in the input. */
  no: number;
  text: string;
}

export type Chunk = { kind: 'batch'; lines: Line[]; bytes: number } | { kind: 'invalid'; line: Line };

export interface BatchLimits {
  /** Most events per request (the API takes 1 to 500). */
  maxEvents: number;
  /** Most bytes per request body. */
  maxBytes: number;
}

/** `{"events":[` and `]}`. */
const ENVELOPE_BYTES = 13;

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The request body for a batch: the lines' own text, comma-separated, in the envelope. */
export const batchBody = (lines: Line[]): string => `{"events":[${lines.map((l) => l.text).join(',')}]}`;

/** Blank lines are skipped (line numbers still count them); a trailing CR is dropped. */
export async function* chunks(lines: AsyncIterable<string>, limits: BatchLimits): AsyncGenerator<Chunk> {
  let batch: Line[] = [];
  let bytes = ENVELOPE_BYTES;
  let no = 0;
  for await (const raw of lines) {
    no += 1;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') continue;
    const line = { no, text };
    if (!isJson(text)) {
      yield { kind: 'invalid', line };
      continue;
    }
    const size = Buffer.byteLength(text) + 1;
    if (batch.length > 0 && (batch.length >= limits.maxEvents || bytes + size > limits.maxBytes)) {
      yield { kind: 'batch', lines: batch, bytes };
      batch = [];
      bytes = ENVELOPE_BYTES;
    }
    batch.push(line);
    bytes += size;
  }
  if (batch.length > 0) yield { kind: 'batch', lines: batch, bytes };
}
