// `pipescope ingest FILE|-`: streams NDJSON into POST /ingest/batch and ends with a summary.
import type { Command } from 'commander';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { globals, int } from './cli.options';
import { IngestSender, IngestTally } from './ingest.sender';
import { Chunk, chunks } from './ndjson-batches';
import { note, print, printJson, table } from './output';
import { progressBar } from './progress';

interface IngestOptions {
  batchSize: number;
  maxBatchBytes: number;
  concurrency: number;
  retries: number;
  errors: number;
  progress: boolean;
}

function summary(source: string, t: IngestTally, ms: number): string {
  const rate = ms > 0 ? Math.round((t.lines / ms) * 1000) : t.lines;
  let out = `ingested ${t.lines} lines from ${source} in ${(ms / 1000).toFixed(1)} s (${rate} lines/s)\n`;
  out += table(
    ['accepted', 'duplicates', 'conflicts', 'rejected', 'failed'],
    [[t.accepted, t.duplicates, t.conflicts, t.rejected, t.failed]],
  );
  if (t.retries > 0) out += `${t.retries} item sends were retried after a failed answer\n`;
  if (t.errors.length > 0) {
    out += `first problems (of ${t.conflicts + t.rejected + t.failed}):\n`;
    const fields = (d: unknown) =>
      Array.isArray(d)
        ? d.map((p: { field?: string; message?: string }) => `${p.field}: ${p.message}`).join('; ')
        : '';
    out += table(
      ['line', 'status', 'code', 'message'],
      [...t.errors]
        .sort((a, b) => a.line - b.line)
        .map((e) => [e.line, e.status, e.code, fields(e.details) || e.message]),
    );
  }
  return out;
}

const chunkBytes = (c: Chunk): number =>
  (c.kind === 'batch' ? c.lines : [c.line]).reduce((n, l) => n + Buffer.byteLength(l.text) + 1, 0);

export function ingestCommand(program: Command): void {
  program
    .command('ingest')
    .description('send NDJSON events (one per line) to the service in batches; `-` reads stdin')
    .argument('<file>', 'NDJSON file, or - for stdin')
    .option('--batch-size <n>', 'events per request (1-500)', int(1, 500), 500)
    .option('--max-batch-bytes <n>', 'bytes per request', int(1024, 100 * 1024 * 1024), 4 * 1024 * 1024)
    .option('--concurrency <n>', 'requests in flight', int(1, 32), 2)
    .option('--retries <n>', 'resends of an item answered failed', int(0, 20), 8)
    .option('--errors <n>', 'problems listed in the summary', int(0, 1000), 10)
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, opts: IngestOptions, cmd: Command) => {
      const { client, json } = globals(cmd);
      const stdin = file === '-';
      const input = stdin ? process.stdin : createReadStream(file);
      const total = stdin ? 0 : statSync(file).size;
      const bar = progressBar(
        stdin
          ? 'ingest | {lines} lines | accepted {accepted} duplicates {duplicates} rejected {rejected} failed {failed}'
          : 'ingest [{bar}] {percentage}% | {lines} lines | accepted {accepted} duplicates {duplicates} rejected {rejected} failed {failed} | eta {eta_formatted}',
        total,
        opts.progress,
      );
      const sender = new IngestSender(client, {
        retries: opts.retries,
        baseDelayMs: 250,
        maxDelayMs: 10_000,
        maxErrors: opts.errors,
      });
      const started = Date.now();
      const inFlight = new Set<Promise<void>>();
      let fatal: Error | undefined;
      const lines = createInterface({ input: input as Readable, crlfDelay: Infinity });
      // Progress counts the bytes of settled lines (reading runs ahead of sending).
      let settledBytes = 0;
      const show = () => {
        const { lines: n, accepted, duplicates, rejected, failed } = sender.tally;
        bar.update(stdin ? n : settledBytes, {
          lines: n,
          accepted,
          duplicates,
          rejected,
          failed,
        });
      };
      for await (const chunk of chunks(lines, { maxEvents: opts.batchSize, maxBytes: opts.maxBatchBytes })) {
        if (fatal) break;
        const p: Promise<void> = sender
          .send(chunk)
          .catch(
            (err: unknown) =>
              void (fatal ??= err instanceof Error ? err : new Error('ingest failed', { cause: err })),
          )
          .finally(() => {
            inFlight.delete(p);
            settledBytes += chunkBytes(chunk);
            show();
          });
        inFlight.add(p);
        if (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      lines.close();
      bar.update(stdin ? sender.tally.lines : total, {});
      bar.stop();
      if (fatal) throw fatal;
      const t = sender.tally;
      const ms = Date.now() - started;
      t.errors.sort((a, b) => a.line - b.line);
      if (json) printJson({ input: stdin ? '-' : file, duration_ms: ms, ...t });
      else print(summary(stdin ? 'stdin' : file, t, ms));
      if (t.failed > 0) {
        note(
          `pipescope: ${t.failed} events were not stored (storage failures after ${opts.retries} retries); resend them`,
        );
        process.exitCode = 1;
      }
    });
}
