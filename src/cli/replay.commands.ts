// `pipescope replay plan|start|status|cancel|list`: the replay API, with --watch following a job
// until it has ended and the processor has handled what was sent.
import { Command, Option } from 'commander';
import { globals, int, windowOptions } from './cli.options';
import { note, print, printJson, table } from './output';
import { progressBar } from './progress';
import { ServiceClient } from './service.client';

export interface ReplayJobView {
  replay_id: string;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  reason: string;
  created_at: string;
  finished_at: string | null;
  matched: number;
  sent: number;
  failed: number;
  processed: number;
  progress: number;
  error?: string;
}

interface FilterOptions {
  source?: string;
  entity?: string;
  eventId?: string[];
  type?: string;
  from?: string;
  to?: string;
  reason?: string;
  rate?: number;
  maxEvents?: number;
  queue?: string;
  format?: string;
}

const ended = (j: ReplayJobView) =>
  j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled';

/** Finished for --watch: ended, and everything sent has been processed. */
export const settled = (j: ReplayJobView): boolean => ended(j) && j.processed >= j.sent;

/** Exit code of a watched job: 0 only when it completed, nothing failed and all was processed. */
export const watchExitCode = (j: ReplayJobView): number =>
  j.status === 'completed' && j.failed === 0 && j.processed >= j.sent ? 0 : 1;

function filterOptions(cmd: Command): Command {
  return windowOptions(cmd, 'selection (source: received time; entity: occurred time)')
    .option('--source <source>', 'events of this source')
    .option('--entity <id>', 'events of this entity')
    .option('--event-id <id...>', 'these events (up to 1,000)')
    .option('--type <type>', 'only this type')
    .option('--rate <n>', 'messages per second', int(1, 1_000_000))
    .option('--max-events <n>', 'most events to select', int(1, 10_000_000))
    .option('--queue <queue>', 'target queue (must be allowed by the service)')
    .option('--format <format>', 'message format: pointer (default), full, cloudevents or one registered');
}

function request(o: FilterOptions, dryRun: boolean): Record<string, unknown> {
  const filter: Record<string, unknown> = {
    source: o.source,
    entity_id: o.entity,
    event_ids: o.eventId,
    type: o.type,
    from: o.from,
    to: o.to,
  };
  return {
    filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)),
    reason: o.reason ?? (dryRun ? 'dry run from the pipescope CLI' : undefined),
    dry_run: dryRun,
    rate_per_second: o.rate,
    max_events: o.maxEvents,
    queue: o.queue,
    format: o.format,
  };
}

/** Jobs as a table, for `status`, `start --watch`, `cancel` and `list`. */
function jobTable(jobs: ReplayJobView[]): string {
  return table(
    ['created_at', 'replay_id', 'status', 'matched', 'sent', 'processed', 'failed', 'progress', 'reason'],
    jobs.map((j) => [
      j.created_at,
      j.replay_id,
      j.status,
      j.matched,
      j.sent,
      j.processed,
      j.failed,
      `${Math.round(j.progress * 100)}%`,
      j.reason,
    ]),
  );
}

/** Polls the job until it has settled (or `settleMs` after it ended); prints progress on the way. */
export async function watch(
  client: ServiceClient,
  id: string,
  intervalMs = 1000,
  settleMs = 120_000,
): Promise<ReplayJobView> {
  const bar = progressBar(
    'replay [{bar}] {percentage}% processed | {status} | sent {sent} processed {processed} failed {failed} of {matched}',
    1,
    true,
  );
  let endedAt: number | undefined;
  let last = '';
  for (;;) {
    const job = await client.get<ReplayJobView>(`/replay/${encodeURIComponent(id)}`);
    bar.setTotal(Math.max(1, job.matched));
    bar.update(job.matched === 0 ? 1 : job.processed, {
      status: job.status,
      sent: job.sent,
      processed: job.processed,
      failed: job.failed,
      matched: job.matched,
    });
    const line = `${job.status} sent ${job.sent} processed ${job.processed} failed ${job.failed} of ${job.matched}`;
    if (!process.stderr.isTTY && line !== last) note(line);
    last = line;
    if (ended(job)) endedAt ??= Date.now();
    if (settled(job) || (endedAt !== undefined && Date.now() - endedAt > settleMs)) {
      bar.stop();
      if (!settled(job))
        note(
          `pipescope: ${job.sent - job.processed} sent messages are not processed yet (is a consumer running?)`,
        );
      return job;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function replayCommands(program: Command): void {
  const replay = program.command('replay').description('plan, start, watch and cancel replays');

  filterOptions(replay.command('plan').description('dry run: what a replay would send'))
    .option('--reason <text>', 'why (optional for a plan)')
    .action(async (o: FilterOptions, cmd: Command) => {
      const { client, json } = globals(cmd);
      const plan = (await client.post<Record<string, unknown>>('/replay', request(o, true))).body;
      if (json) return printJson(plan);
      const byType = plan.by_source_type as { source: string; type: string; count: number; bytes: number }[];
      print(
        `matched ${String(plan.matched)} events, ${String(plan.bytes)} bytes, about ${String(plan.estimated_seconds)} s${plan.truncated ? ' (truncated to max events)' : ''}`,
      );
      if (byType.length)
        print(
          table(
            ['source', 'type', 'events', 'bytes'],
            byType.map((r) => [r.source, r.type, r.count, r.bytes]),
          ),
        );
    });

  filterOptions(replay.command('start').description('start a replay (operator key)'))
    .requiredOption('--reason <text>', 'why: kept on the job and in the audit log')
    .option('--watch', 'follow it until done, with a progress bar')
    .action(async (o: FilterOptions & { watch?: boolean }, cmd: Command) => {
      const { client, json } = globals(cmd);
      const created = (await client.post<{ replay_id: string; status: string }>('/replay', request(o, false)))
        .body;
      if (!o.watch) return json ? printJson(created) : print(`${created.replay_id} ${created.status}`);
      if (!json) note(`replay ${created.replay_id} ${created.status}`);
      const job = await watch(client, created.replay_id);
      if (json) printJson(job);
      else print(jobTable([job]));
      process.exitCode = watchExitCode(job);
    });

  replay
    .command('status')
    .description('one replay job')
    .argument('<replay_id>')
    .option('--watch', 'follow it until done, with a progress bar')
    .action(async (id: string, o: { watch?: boolean }, cmd: Command) => {
      const { client, json } = globals(cmd);
      const job = o.watch
        ? await watch(client, id)
        : await client.get<ReplayJobView>(`/replay/${encodeURIComponent(id)}`);
      if (json) printJson(job);
      else print(jobTable([job]) + (job.error ? `error: ${job.error}\n` : ''));
      if (o.watch) process.exitCode = watchExitCode(job);
    });

  replay
    .command('cancel')
    .description('stop a pending or running replay (operator key)')
    .argument('<replay_id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const { client, json } = globals(cmd);
      const job = (await client.post<ReplayJobView>(`/replay/${encodeURIComponent(id)}/cancel`, {})).body;
      if (json) printJson(job);
      else print(jobTable([job]));
    });

  replay
    .command('list')
    .description('recent replays, newest first')
    .addOption(new Option('--limit <n>', 'jobs (1-100)').argParser(int(1, 100)).default(20))
    .action(async (o: { limit: number }, cmd: Command) => {
      const { client, json } = globals(cmd);
      const page = await client.get<{ items: ReplayJobView[]; next_cursor: string | null }>('/replay', {
        limit: o.limit,
      });
      if (json) return printJson(page);
      print(page.items.length === 0 ? 'no replays yet' : jobTable(page.items));
    });
}
