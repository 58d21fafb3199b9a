// The API contract as served: the OpenAPI document at /docs-json and /docs-yaml, its viewer at /docs in
// a real browser (Debian chromium via playwright-core) with every other host blocked, and the contract
// check that every e2e answer goes through (test/support/contract.ts) catching drift.
import type { OpenAPIObject } from '@nestjs/swagger';
import { Browser, launchBrowser, watch } from '../support/browser';
import { checkAnswer, contractOf } from '../support/contract';
import { listen, startTestApp, TestApp } from '../support/test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON bodies

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

describe('the OpenAPI document', () => {
  let t: TestApp;
  let url: string;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    t = await startTestApp('openapi');
    url = await listen(t);
    doc = (await t.http().get('/docs-json').expect(200)).body as OpenAPIObject;
  });
  afterAll(async () => {
    await t?.close();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Json)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ path, method, op: op as Json })),
    );

  it('is OpenAPI 3.1, served without a key as JSON and as YAML', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const yaml = await t.http().get('/docs-yaml').expect(200);
    expect(yaml.headers['content-type']).toMatch(/yaml/);
    expect(yaml.text).toContain('openapi: 3.1.0');
    expect(yaml.text).toContain('/ingest/batch:');
  });

  it('names the two ways to send a key, and applies them to every keyed operation', () => {
    expect(doc.components?.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      'api-key': expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
    });
    const keys = [{ bearer: [] }, { 'api-key': [] }];
    for (const { path, method, op } of operations()) {
      const open = path.startsWith('/health/');
      // /metrics: open unless METRICS_REQUIRE_KEY (`{}` allows no key).
      const security = open ? [] : path === '/metrics' ? [{}, ...keys] : keys;
      expect([`${method} ${path}`, op.security]).toEqual([`${method} ${path}`, security]);
      if (!open) {
        expect(op.description).toMatch(/\*\*Roles:\*\* `(producer|investigator|operator)`/);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });

  it('gives every operation a summary, a success answer and its errors with examples', () => {
    for (const { op } of operations()) {
      expect(op.summary).toEqual(expect.any(String));
      const statuses = Object.keys(op.responses);
      expect(statuses.some((s) => s.startsWith('2'))).toBe(true);
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const media = op.responses[status].content['application/json'];
        const codes: string[] = media.schema.properties.error.properties.code.enum;
        expect(Object.keys(media.examples)).toEqual(codes);
      }
    }
  });

  it('describes the hand-parsed ingest bodies and the DTOs with their constraints', () => {
    const ingest = (doc.paths['/ingest'] as Json).post;
    expect(ingest.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/IngestEventDto',
    });
    const event = doc.components!.schemas!.IngestEventDto as Json;
    expect(event.additionalProperties).toBe(false);
    expect(event.required).toEqual(['source', 'type', 'entity_id', 'occurred_at', 'payload']);
    expect(event.properties.source).toMatchObject({ maxLength: 64, pattern: '^[a-z0-9][a-z0-9._-]*$' });
    expect(event.properties.sequence.type).toEqual(['integer', 'null']);
    const batch = doc.components!.schemas!.IngestBatchDto as Json;
    expect(batch.properties.events).toMatchObject({ minItems: 1, maxItems: 500 });
    const limit = (doc.paths['/events'] as Json).get.parameters.find((p: Json) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 });
  });

  describe('the contract check', () => {
    const check = (status: number, body: unknown, route = '/replay/:replay_id', method = 'get') =>
      checkAnswer(contractOf(t.app), method, route, status, 'application/json', JSON.stringify(body));

    it('passes a documented answer and flags drift: a missing field, an extra field, an undocumented status', () => {
      const error = { error: { code: 'REPLAY.NOT_FOUND', message: 'x' }, request_id: 'r' };
      expect(check(404, error)).toEqual([]);
      expect(check(404, { error: { code: 'QUERY.EVENT_NOT_FOUND', message: 'x' }, request_id: 'r' })).toEqual(
        [expect.stringContaining('/error/code must be equal to one of the allowed values')],
      );
      expect(check(404, { ...error, extra: 1 })).toEqual([
        expect.stringContaining('must NOT have additional properties'),
      ]);
      expect(check(404, { error: error.error })).toEqual([
        expect.stringContaining("must have required property 'request_id'"),
      ]);
      expect(check(409, error)).toEqual([expect.stringContaining('status 409 is not documented')]);
      expect(check(404, error, '/undocumented/:id')).toEqual([
        'GET /undocumented/{id} is served but not documented',
      ]);
      expect(check(404, { nothing: true }, undefined)).not.toEqual([]);
    });
  });

  describe('the viewer at /docs', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('renders every operation offline, with nothing but this server reachable', async () => {
      const blocked: string[] = [];
      await browser.context.route('**/*', (route) => {
        if (route.request().url().startsWith(url)) return route.continue();
        blocked.push(route.request().url());
        return route.abort();
      });
      const page = await browser.context.newPage();
      const seen = watch(page);
      await page.goto(`${url}/docs`);
      await page.locator('.swagger-ui .info .title', { hasText: 'pipescope' }).waitFor();
      await page.locator('.opblock').first().waitFor();
      expect(await page.locator('.opblock').count()).toBe(operations().length);
      // Both ways to send a key are offered by the Authorize dialog.
      await page
        .getByRole('button', { name: /Authorize/ })
        .first()
        .click();
      await page.getByText('x-api-key').first().waitFor();
      await page.getByText('bearer (http, Bearer)').waitFor();
      await page.keyboard.press('Escape');
      // One operation opened: its error answers are listed with their codes.
      await page.locator('.opblock-summary-path', { hasText: /^\/ingest$/ }).click();
      await page.locator('.responses-table').getByText('INGEST.IDEMPOTENCY_CONFLICT').first().waitFor();
      expect(blocked).toEqual([]);
      expect(seen.requests.filter((r) => !r.startsWith(url))).toEqual([]);
      expect(seen.errors).toEqual([]);
      await page.close();
    });
  });
});
