// Investigation reads: events, event, stats, gaps, rejected. Tables for people, --json for scripts,
// --all follows next_cursor to the end.
import type { Command } from 'commander';
import { globals, int, windowOptions } from './cli.options';
import { Cell, ms, note, print, printJson, table } from './output';
import { ServiceClient } from './service.client';

type Row = Record<string, unknown>;
interface PageOptions {
  limit?: number;
  all?: boolean;
  cursor?: string;
}

type Paged = { items: Row[]; next_cursor: string | null } & Row;

/** One page, or every page with --all; the answer keeps the API's shape (and the first page's other fields). */
async function pages(
  client: ServiceClient,
  path: string,
  params: Record<string, string | number | undefined>,
  opts: PageOptions,
): Promise<Paged> {
  let first: Paged | undefined;
  const items: Row[] = [];
  let cursor = opts.cursor;
  for (;;) {
    const page = await client.get<Paged>(path, { ...params, limit: opts.limit, cursor });
    first ??= page;
    items.push(...page.items);
    if (!opts.all || !page.next_cursor) return { ...first, items, next_cursor: page.next_cursor };
    cursor = page.next_cursor;
  }
}

function pageOptions(cmd: Command): Command {
  return cmd
    .option('--limit <n>', 'items per request (1-1000)', int(1, 1000))
    .option('--all', 'follow pagination to the end')
    .option('--cursor <cursor>', 'continue from a next_cursor');
}

function moreNote(next: string | null): void {
  if (next) note(`more items: add --all, or --cursor ${next}`);
}

const s = (v: unknown): Cell =>
  v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : (v as Cell);

export function queryCommands(program: Command): void {
  pageOptions(
    windowOptions(
      program
        .command('events')
        .description('events of an entity (by occurred time) or of a source (by received time)')
        .option('--entity <id>', 'entity id')
        .option('--source <source>', 'source')
        .option('--type <type>', 'only this type (with --source)')
        .option('--order <order>', 'asc or desc (with --entity)'),
      'occurred (entity) or received (source)',
    ),
  ).action(
    async (
      opts: PageOptions & {
        entity?: string;
        source?: string;
        type?: string;
        order?: string;
        from?: string;
        to?: string;
      },
      cmd: Command,
    ) => {
      const { client, json } = globals(cmd);
      if (!opts.entity === !opts.source)
        cmd.error('give exactly one of --entity and --source', { exitCode: 2 });
      const page = await pages(
        client,
        '/events',
        {
          entity_id: opts.entity,
          source: opts.source,
          type: opts.type,
          order: opts.order,
          from: opts.from,
          to: opts.to,
        },
        opts,
      );
      if (json) return printJson(page);
      print(
        page.items.length === 0
          ? 'no events'
          : table(
              ['occurred_at', 'received_at', 'source', 'type', 'entity_id', 'seq', 'lag', 'dup', 'event_id'],
              page.items.map((e) => [
                s(e.occurred_at),
                s(e.received_at),
                s(e.source),
                s(e.type),
                s(e.entity_id),
                s(e.sequence),
                ms(e.lag_ms as number),
                s(e.duplicate_count),
                s(e.event_id),
              ]),
            ),
      );
      moreNote(page.next_cursor);
    },
  );

  program
    .command('event')
    .description('one event: its index fields and the raw event as received')
    .argument('<event_id>', '32 hex characters')
    .option('--raw', 'print only the raw event, byte for byte')
    .action(async (id: string, opts: { raw?: boolean }, cmd: Command) => {
      const { client, json } = globals(cmd);
      const event = await client.get<Row & { raw: string }>(`/events/${encodeURIComponent(id)}`);
      if (opts.raw) return void process.stdout.write(event.raw);
      if (json) return printJson(event);
      const { raw, ...fields } = event;
      print(
        table(
          ['field', 'value'],
          Object.entries(fields).map(([k, v]) => [k, s(v)]),
        ),
      );
      print(`raw (${Buffer.byteLength(raw)} bytes):\n${raw}`);
    });

  windowOptions(
    program
      .command('stats')
      .description('per source and type: counts, lag quantiles, rates and health, worst first')
      .option('--source <source>', 'only this source'),
    'received',
  ).action(async (opts: { source?: string; from?: string; to?: string }, cmd: Command) => {
    const { client, json } = globals(cmd);
    const stats = await client.get<{ counted_from: string; counted_to: string; rows: Row[] }>('/stats', opts);
    if (json) return printJson(stats);
    if (stats.rows.length === 0)
      return print(`nothing received between ${stats.counted_from} and ${stats.counted_to}`);
    print(
      table(
        [
          'health',
          'source',
          'type',
          'received',
          'accepted',
          'dup',
          'conflicts',
          'rejected',
          'late',
          'lag p50',
          'lag p99',
          'why',
        ],
        stats.rows.map((r) => {
          const lag = r.lag_ms as { p50: number | null; p99: number | null };
          return [
            s(r.health),
            s(r.source),
            s(r.type),
            s(r.received),
            s(r.accepted),
            s(r.duplicates),
            s(r.conflicts),
            s(r.rejected),
            s(r.late),
            ms(lag.p50),
            ms(lag.p99),
            (r.health_reasons as string[]).join('; ') || '-',
          ];
        }),
      ),
    );
    note(`counted ${stats.counted_from} .. ${stats.counted_to} (whole UTC hours)`);
  });

  pageOptions(
    windowOptions(
      program
        .command('gaps')
        .description('silent stretches of a source (minute resolution, at most 7 days)')
        .requiredOption('--source <source>', 'source')
        .option('--min-gap <minutes>', 'shortest silence reported (1-1440)', int(1, 1440)),
      'examined',
    ),
  ).action(
    async (
      opts: PageOptions & { source: string; minGap?: number; from?: string; to?: string },
      cmd: Command,
    ) => {
      const { client, json } = globals(cmd);
      const answer = await pages(
        client,
        '/gaps',
        { source: opts.source, from: opts.from, to: opts.to, min_gap_minutes: opts.minGap },
        opts,
      );
      if (json) return printJson(answer);
      print(
        `${s(answer.source)}: active ${s(answer.active_minutes)} of ${s(answer.examined_minutes)} minutes, ` +
          `${answer.items.length} silence(s) of ${s(answer.min_gap_minutes)}+ minutes (${s(answer.from)} .. ${s(answer.to)})`,
      );
      if (answer.items.length > 0)
        print(
          table(
            ['from', 'to', 'minutes', 'still silent'],
            answer.items.map((g) => [s(g.from), s(g.to), s(g.minutes), g.open_end ? 'yes' : '']),
          ),
        );
      moreNote(answer.next_cursor);
    },
  );

  pageOptions(
    windowOptions(
      program
        .command('rejected')
        .description('rejected submissions with their errors')
        .option('--source <source>', 'only this source'),
      'received',
    ),
  ).action(async (opts: PageOptions & { source?: string; from?: string; to?: string }, cmd: Command) => {
    const { client, json } = globals(cmd);
    const page = await pages(
      client,
      '/rejected',
      { source: opts.source, from: opts.from, to: opts.to },
      opts,
    );
    if (json) return printJson(page);
    print(
      page.items.length === 0
        ? 'no rejected submissions'
        : table(
            ['received_at', 'source', 'reason', 'errors', 'bytes', 'rejection_id'],
            page.items.map((r) => [
              s(r.received_at),
              s(r.source),
              s(r.reason),
              (r.errors as { field: string; message: string }[])
                .map((e) => `${e.field}: ${e.message}`)
                .join('; '),
              s(r.size_bytes),
              s(r.rejection_id),
            ]),
          ),
    );
    moreNote(page.next_cursor);
  });
}
