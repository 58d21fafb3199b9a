// Property: whatever a client sends to any route (arbitrary path parameters, query strings, headers
// and JSON or not-quite-JSON bodies), the answer is never a 5xx, every error is the documented
// envelope with a documented code and its status, and the app is still ready afterwards. The routes
// come from the app's router, so a new route is fuzzed without touching this file.
import fc from 'fast-check';
import { registeredRoutes, RouteSummary } from '../../src/app.factory';
import { RouteAccess } from '../../src/shared/auth/route-access';
import { ERROR_STATUS } from '../../src/shared/errors/app-error';
import { KEYS, startTestApp, TestApp } from '../support/test-app';

const printable = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });
const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  printable,
);

const QUERY_NAMES = [
  'limit',
  'cursor',
  'from',
  'to',
  'source',
  'type',
  'entity_id',
  'order',
  'raw',
  'min_lag_ms',
  'min_gap_minutes',
];
const queryValue = fc.oneof(
  anyText,
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('2026-11-25T10:00:00Z', '9999-12-31T23:59:59Z', 'true', 'asc', 'orders-svc', '', '1e400'),
  fc.constant(Buffer.from('{"p":0,"k":{"pk":1}}').toString('base64url')),
);
const query = fc.dictionary(
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...QUERY_NAMES) }, { weight: 1, arbitrary: printable }),
  fc.oneof(queryValue, fc.array(queryValue, { maxLength: 3 })),
  {
    maxKeys: 5,
  },
);

/** Mostly the key the route's role needs (so requests reach the handlers), sometimes another or none. */
const key = fc.oneof(
  { weight: 6, arbitrary: fc.constant('right' as const) },
  { weight: 1, arbitrary: fc.constantFrom<keyof typeof KEYS>('producer', 'investigator', 'operator') },
  { weight: 1, arbitrary: fc.constantFrom('none' as const, 'garbage' as const) },
);
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { freq: 5, nil: undefined });
const headers = fc.record({
  'content-type': fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
      ),
    },
    { weight: 1, arbitrary: printable },
  ),
  'x-request-id': rarely(printable),
  'x-api-key': rarely(printable),
  'x-pipescope-signature': rarely(fc.oneof(printable, fc.constant(`t=1,s=orders-svc,v1=${'0'.repeat(64)}`))),
  accept: rarely(printable),
});

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.dictionary(printable, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }).map((v) => JSON.stringify(v)),
  fc
    .record({ events: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }) }, { requiredKeys: [] })
    .map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        reason: anyText,
        dry_run: fc.boolean(),
        filter: fc.dictionary(
          fc.constantFrom('source', 'type', 'entity_id', 'from', 'to', 'event_ids'),
          queryValue,
        ),
        rate_per_second: fc.oneof(fc.integer(), fc.double()),
        max_events: fc.integer(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  anyText,
  fc.constantFrom(
    '',
    '{',
    'null',
    '{"__proto__":{"x":1}}',
    '{"a":1e400}',
    deep(5000),
    `{"payload":${deep(300)}}`,
  ),
);

/** A route's path with each :param replaced by an arbitrary (URL-encoded) segment. */
const pathFor = (url: string) => {
  const params = url.match(/:[A-Za-z_]+/g) ?? [];
  return fc
    .tuple(...params.map(() => fc.oneof(anyText, fc.stringMatching(/^[0-9a-f]{32}$/))))
    .map((values) =>
      params.reduce((path, param, i) => path.replace(param, encodeURIComponent(values[i])), url),
    );
};

describe('every route under arbitrary input', () => {
  let t: TestApp;
  let routes: RouteSummary[];
  /** The role a route asks for, from the app's own access rules (none for open routes). */
  let rightRole: (route: RouteSummary) => keyof typeof KEYS | 'none';

  beforeAll(async () => {
    t = await startTestApp('routes-fuzz', { PROCESSOR_ENABLED: 'false' });
    routes = registeredRoutes(t.app);
    const access = t.app.get(RouteAccess);
    rightRole = (route) => {
      const rule = access.of(route.method, route.url);
      if (!rule || rule.public) return 'none';
      return rule.roles.includes('producer') ? 'producer' : 'operator';
    };
  });
  afterAll(() => t.close());

  it('finds the routes in the app router', () => {
    const names = routes.map((r) => `${r.method} ${r.url}`);
    expect(names).toEqual(expect.arrayContaining(['POST /ingest', 'GET /events/:event_id', 'POST /replay']));
    expect(routes.length).toBeGreaterThan(15);
  });

  it('never answers 5xx, always answers errors in the envelope with a documented code', async () => {
    const input = fc
      .constantFrom(...routes)
      .chain((route) =>
        fc.record({ route: fc.constant(route), path: pathFor(route.url), query, headers, key, body }),
      );
    await fc.assert(
      fc.asyncProperty(input, async ({ route, path, query: q, headers: h, key: k, body: text }) => {
        const method = route.method.toLowerCase() as 'get' | 'post' | 'head' | 'delete' | 'put' | 'patch';
        let req = t.http()[method](path).query(q);
        for (const [name, value] of Object.entries(h)) if (value !== undefined) req = req.set(name, value);
        const role = k === 'right' ? rightRole(route) : k;
        if (role === 'garbage') req = req.set('authorization', 'Bearer not-a-key-at-all-0123');
        else if (role !== 'none') req = req.set('authorization', `Bearer ${KEYS[role]}`);
        const res = route.method === 'GET' || route.method === 'HEAD' ? await req : await req.send(text);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400 && route.method !== 'HEAD') {
          expect(res.body).toEqual({
            error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
            request_id: expect.any(String),
          });
          const code = res.body.error.code as keyof typeof ERROR_STATUS;
          expect(Object.keys(ERROR_STATUS)).toContain(code);
          expect(ERROR_STATUS[code]).toBe(res.status);
        }
      }),
      { numRuns: 600 },
    );
    await t.http().get('/health/ready').expect(200);
  });
});
