// docs/api.md cannot rot: every ```sh block that starts with `curl` is run as written, in document
// order, by bash and the real curl against a fresh app listening on a port (the examples seed their
// own data), and must answer the status its `# → NNN` line says. Every operation of the OpenAPI
// document must have an example. The answers also go through the contract check like any other.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { auth, KEYS, listen, QUICK_PIPELINE, startTestApp, TestApp } from '../support/test-app';

const run = promisify(execFile);
const DOC = 'docs/api.md';
/** Routes served outside the OpenAPI document that the doc shows too. */
const EXTRA_ROUTES = ['GET /docs', 'GET /docs-json', 'GET /docs-yaml', 'GET /console'];

export interface CurlExample {
  /** Line of the opening fence in the markdown. */
  line: number;
  command: string;
  status: number | undefined;
  method: string;
  /** The URL path after $PIPESCOPE_URL, query string dropped, variables kept. */
  path: string;
}

export function curlExamples(markdown: string): CurlExample[] {
  const examples: CurlExample[] = [];
  const fence = /^```sh\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) {
    const body = m[1];
    if (!body.trimStart().startsWith('curl')) continue;
    const status = /^# → (\d{3})\b/m.exec(body)?.[1];
    const command = body
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
    const url = /"\$PIPESCOPE_URL(\/[^"?\s]*)/.exec(command)?.[1] ?? '(no $PIPESCOPE_URL)';
    const method = /-X\s+([A-Z]+)/.exec(command)?.[1] ?? (/\s(-d|--data)\s/.test(command) ? 'POST' : 'GET');
    examples.push({
      line: markdown.slice(0, m.index).split('\n').length,
      command,
      status: status === undefined ? undefined : Number(status),
      method,
      path: url,
    });
  }
  return examples;
}

/** `METHOD /template` of the route an example calls, among `routes`. */
function routeOf(example: CurlExample, routes: string[]): string | undefined {
  const concrete = `${example.method} ${example.path.replace(/\$[A-Z_]+/g, 'x')}`;
  return routes.find((r) => {
    const pattern = r.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+');
    return new RegExp(`^${pattern}$`).test(concrete);
  });
}

describe(`the curl examples of ${DOC}`, () => {
  const examples = curlExamples(readFileSync(DOC, 'utf8'));
  let t: TestApp;
  let url: string;
  let tmp: string;
  const vars: Record<string, string> = {};
  const replays: string[] = [];

  beforeAll(async () => {
    t = await startTestApp('api-docs', QUICK_PIPELINE);
    url = await listen(t);
    tmp = mkdtempSync(join(tmpdir(), 'pipescope-api-docs-'));
  });
  afterAll(async () => {
    await t?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** The aggregate examples read what the processor made of the replays started before them. */
  const settleReplays = async () => {
    const deadline = Date.now() + 60_000;
    for (const id of replays) {
      for (;;) {
        const job = (await t.http().get(`/replay/${id}`).set(auth('investigator')).expect(200)).body;
        const done = ['completed', 'cancelled', 'failed'].includes(job.status);
        if (done && job.processed >= job.sent) break;
        if (Date.now() > deadline) throw new Error(`replay ${id} did not settle: ${JSON.stringify(job)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  it('has an example for every operation of the OpenAPI document, and none for a route that does not exist', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body as { paths: Record<string, object> };
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const routes = [...operations, ...EXTRA_ROUTES];
    const shown = new Set(examples.map((e) => routeOf(e, routes)));
    expect(routes.filter((r) => !shown.has(r))).toEqual([]);
    expect(
      examples.filter((e) => !routeOf(e, routes)).map((e) => `${DOC}:${e.line} ${e.method} ${e.path}`),
    ).toEqual([]);
    expect(examples.filter((e) => e.status === undefined).map((e) => `${DOC}:${e.line}`)).toEqual([]);
  });

  for (const example of examples) {
    it(`${DOC}:${example.line} ${example.method} ${example.path} answers ${example.status}`, async () => {
      if (example.path.startsWith('/aggregates') || example.path.endsWith('/aggregates'))
        await settleReplays();
      const body = join(tmp, 'body');
      // The example as written, its curl writing the body to a file and printing the status.
      const script = `curl() { command curl -sS -o "$BODY_FILE" -w '%{http_code}' "$@"; }\n${example.command}`;
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
        env: {
          PATH: process.env.PATH,
          BODY_FILE: body,
          PIPESCOPE_URL: url,
          PRODUCER_KEY: KEYS.producer,
          INVESTIGATOR_KEY: KEYS.investigator,
          OPERATOR_KEY: KEYS.operator,
          ...vars,
        },
      });
      const text = readFileSync(body, 'utf8');
      expect({ status: Number(stdout.trim()), body: text.slice(0, 600) }).toEqual({
        status: example.status,
        body: expect.any(String),
      });
      // $EVENT_ID, $REPLAY_ID, $RECONCILE_ID, $REJECTION_ID: what the last ingest, replay, reconcile and
      // rejected listing answered.
      let answer: {
        event_id?: unknown;
        replay_id?: unknown;
        reconcile_id?: unknown;
        items?: { rejection_id?: unknown }[];
      } = {};
      try {
        answer = (JSON.parse(text) as typeof answer | null) ?? {};
      } catch {
        answer = {};
      }
      if (typeof answer.event_id === 'string' && example.path === '/ingest') vars.EVENT_ID = answer.event_id;
      if (typeof answer.replay_id === 'string' && example.status === 202) {
        vars.REPLAY_ID = answer.replay_id;
        replays.push(answer.replay_id);
      }
      if (typeof answer.reconcile_id === 'string' && example.status === 202)
        vars.RECONCILE_ID = answer.reconcile_id;
      const rejection = example.path === '/rejected' ? answer.items?.[0]?.rejection_id : undefined;
      if (typeof rejection === 'string') vars.REJECTION_ID = rejection;
    });
  }
});
