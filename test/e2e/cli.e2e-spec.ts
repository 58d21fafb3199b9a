// The `pipescope` CLI as a user runs it: the built script as a child process, against the whole app
// listening on a port (with its replay consumer), talking to the emulators.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth, KEYS, listen, QUICK_PIPELINE, startTestApp, TestApp } from '../support/test-app';

const CLI = join(__dirname, '../../dist/src/cli/pipescope.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the pipescope CLI', () => {
  let t: TestApp;
  let url: string;
  let dir: string;

  /** Runs the CLI with only the variables it needs (no TTY: no progress bar). */
  const cli = (args: string[], key: string = KEYS.operator, stdin?: string): Promise<Run> =>
    new Promise((done, fail) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH, PIPESCOPE_URL: url, PIPESCOPE_API_KEY: key },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    });

  const json = (run: Run) => {
    if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout);
  };

  const occurred = (i: number) => new Date(Date.now() - 60_000 + i).toISOString();

  beforeAll(async () => {
    t = await startTestApp('cli', QUICK_PIPELINE);
    url = await listen(t);
    dir = mkdtempSync(join(tmpdir(), 'pipescope-cli-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ingests a 10,000-line NDJSON file and sums it up correctly', async () => {
    const unique = Array.from({ length: 9950 }, (_, i) =>
      JSON.stringify({
        source: 'cli-e2e',
        type: i % 2 ? 'thing.updated' : 'thing.created',
        entity_id: `thing-${i % 100}`,
        occurred_at: occurred(i),
        payload: { i },
        ...(i < 10 ? { idempotency_key: `key-${i}` } : {}),
      }),
    );
    const conflicts = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({ ...JSON.parse(unique[i]), payload: { i, changed: true } }),
    );
    const rejected = Array.from({ length: 9 }, (_, i) =>
      JSON.stringify({
        source: 'cli-e2e',
        type: 'bad type',
        entity_id: `x-${i}`,
        occurred_at: occurred(i),
        payload: {},
      }),
    );
    const lines = [...unique, ...unique.slice(20, 50), ...conflicts, ...rejected, '{"source": not json'];
    expect(lines).toHaveLength(10_000);
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const summary = json(await cli(['ingest', file, '--json', '--errors', '50'], KEYS.producer));

    expect(summary).toMatchObject({
      lines: 10_000,
      accepted: 9950,
      duplicates: 30,
      conflicts: 10,
      rejected: 10,
      failed: 0,
    });
    // Every problem, by line: the conflicts, the bad rows (field named) and the line that is not JSON.
    expect(summary.errors.map((e: { line: number }) => e.line)).toEqual(
      Array.from({ length: 20 }, (_, i) => 9981 + i),
    );
    expect(summary.errors.slice(0, 10).every((e: { status: string }) => e.status === 'conflict')).toBe(true);
    expect(summary.errors[10]).toMatchObject({
      status: 'rejected',
      code: 'INGEST.VALIDATION_FAILED',
      details: [{ field: 'type', message: 'type must not contain whitespace' }],
    });
    expect(summary.errors[19]).toMatchObject({ line: 10_000, code: 'REQUEST.INVALID_JSON' });

    // The service counted the same.
    const stats = await t.http().get('/stats?source=cli-e2e').set(auth('investigator')).expect(200);
    const sum = (k: string) => stats.body.rows.reduce((n: number, r: Record<string, number>) => n + r[k], 0);
    expect([sum('accepted'), sum('duplicates'), sum('conflicts'), sum('rejected')]).toEqual([
      9950, 30, 10, 9,
    ]);
  }, 600_000);

  it('prints a summary for people and exits 0 when nothing failed', async () => {
    const file = join(dir, 'small.ndjson');
    const e = { source: 'cli-small', type: 'a', entity_id: 's-1', occurred_at: occurred(0), payload: {} };
    writeFileSync(file, [e, e, { ...e, entity_id: '' }].map((x) => JSON.stringify(x)).join('\n'));
    const run = await cli(['ingest', file], KEYS.producer);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`ingested 3 lines from ${file}`);
    expect(run.stdout).toMatch(/accepted\s+duplicates\s+conflicts\s+rejected\s+failed\n1\s+1\s+0\s+1\s+0\n/);
    expect(run.stdout).toMatch(/3\s+rejected\s+INGEST\.VALIDATION_FAILED\s+entity_id: /);
  });

  const replayLines = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({
      source: 'cli-replay',
      type: 'r',
      entity_id: `r-${i % 4}`,
      occurred_at: occurred(i),
      payload: { i },
    }),
  );

  it('reads stdin, starts a replay and watches it until every message is processed', async () => {
    expect(json(await cli(['ingest', '-', '--json'], KEYS.producer, replayLines.join('\n')))).toMatchObject({
      accepted: 40,
      failed: 0,
    });
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const plan = json(
      await cli(['replay', 'plan', '--source', 'cli-replay', '--from', '1h', '--to', to, '--json']),
    );
    expect(plan).toMatchObject({
      matched: 40,
      by_source_type: [{ source: 'cli-replay', type: 'r', count: 40 }],
    });

    const run = await cli([
      ...['replay', 'start', '--source', 'cli-replay', '--from', '1h', '--to', to],
      ...['--reason', 'cli e2e', '--rate', '200', '--watch', '--json'],
    ]);
    const job = json(run);
    expect(job).toMatchObject({
      status: 'completed',
      matched: 40,
      sent: 40,
      processed: 40,
      failed: 0,
      progress: 1,
    });
    // Without a terminal the watch reports each change on stderr, ending with everything processed.
    expect(run.stderr.trim().split('\n').pop()).toBe('completed sent 40 processed 40 failed 0 of 40');

    const status = json(await cli(['replay', 'status', job.replay_id, '--json']));
    expect(status).toMatchObject({ replay_id: job.replay_id, processed: 40 });
    const list = await cli(['replay', 'list']);
    expect(list.stdout).toMatch(
      new RegExp(`${job.replay_id}\\s+completed\\s+40\\s+40\\s+40\\s+0\\s+100%\\s+cli e2e`),
    );
  }, 120_000);

  it('answers queries with tables, --json that parses, and --all across pages', async () => {
    const page = json(
      await cli(['events', '--source', 'cli-replay', '--from', '1h', '--limit', '15', '--json']),
    );
    expect(page.items).toHaveLength(15);
    expect(page.next_cursor).toEqual(expect.any(String));
    const all = json(
      await cli(['events', '--source', 'cli-replay', '--from', '1h', '--limit', '15', '--all', '--json']),
    );
    expect(all.items).toHaveLength(40);
    expect(all.next_cursor).toBeNull();
    expect(new Set(all.items.map((e: { event_id: string }) => e.event_id)).size).toBe(40);

    const entity = await cli(['events', '--entity', 'r-1']);
    expect(entity.code).toBe(0);
    expect(entity.stdout.split('\n')[0]).toMatch(/^occurred_at\s+received_at\s+source\s+type\s+entity_id/);
    expect(entity.stdout.trim().split('\n')).toHaveLength(1 + 10);

    const one = all.items[0];
    const raw = await cli(['event', one.event_id, '--raw']);
    expect(raw.stdout).toBe(replayLines[JSON.parse(raw.stdout).payload.i]);
    expect(json(await cli(['event', one.event_id, '--json']))).toMatchObject({
      event_id: one.event_id,
      raw: raw.stdout,
    });

    const stats = json(await cli(['stats', '--source', 'cli-replay', '--json']));
    expect(stats.rows).toEqual([
      expect.objectContaining({ source: 'cli-replay', type: 'r', accepted: 40, health: 'ok' }),
    ]);
    expect((await cli(['stats'])).stdout).toMatch(/ok\s+cli-replay\s+r\s+40\s+40\s+0/);

    const gaps = json(await cli(['gaps', '--source', 'cli-replay', '--json']));
    expect(gaps).toMatchObject({ source: 'cli-replay', min_gap_minutes: 10, items: expect.any(Array) });
    expect(gaps.active_minutes).toBeGreaterThanOrEqual(1);

    const rejected = json(await cli(['rejected', '--source', 'cli-e2e', '--all', '--limit', '5', '--json']));
    expect(rejected.items.map((r: { reason: string }) => r.reason).sort()).toEqual([
      ...Array<string>(10).fill('conflict'),
      ...Array<string>(9).fill('validation'),
    ]);
  });

  it('says why when the key is refused, without printing it, and refuses bad arguments', async () => {
    const wrong = 'not-a-real-key-0123456789';
    const run = await cli(['stats'], wrong);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('401 AUTH.INVALID_KEY');
    expect(run.stderr + run.stdout).not.toContain(wrong);

    const bad = await cli(['events', '--entity', 'a', '--source', 'b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('give exactly one of --entity and --source');
    expect((await cli(['gaps', '--source', 's', '--from', 'yesterday'])).code).toBe(2);
  });
});
