import { startTestApp, TestApp } from '../support/test-app';

describe('error body shape', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('errors');
  });
  afterAll(() => t.close());

  it('answers an unknown route with 404 in the common shape', async () => {
    const res = await t.http().get('/no-such-thing').set('x-request-id', 'rid-404').expect(404);
    expect(res.body).toEqual({
      error: { code: 'REQUEST.NOT_FOUND', message: expect.stringContaining('/no-such-thing') },
      request_id: 'rid-404',
    });
  });

  it('ignores an unsafe request id and makes one', async () => {
    const res = await t.http().get('/no-such-thing').set('x-request-id', 'bad id with spaces').expect(404);
    expect(res.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-request-id']).toBe(res.body.request_id);
  });
});
