import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it.each([
    ['/stats?api_key=s3cret-0123456789', '/stats?api_key=[redacted]'],
    ['/stats?source=a&apikey=x&limit=3', '/stats?source=a&apikey=[redacted]&limit=3'],
    [
      '/events?x-api-key=k&access_token=t&Token=u',
      '/events?x-api-key=[redacted]&access_token=[redacted]&Token=[redacted]',
    ],
    ['/ingest?api%5Fkey=k', '/ingest?api%5Fkey=[redacted]'],
    ['/x?password=p&auth=a&sig=s', '/x?password=[redacted]&auth=[redacted]&sig=[redacted]'],
    ['/x?api_key=a&api_key=b', '/x?api_key=[redacted]&api_key=[redacted]'],
  ])('redacts secrets in %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });

  it('leaves other parameters, flags without a value and URLs without a query alone', () => {
    expect(redactUrl('/events?source=orders&from=2026-01-01T00:00:00Z&cursor=abc')).toBe(
      '/events?source=orders&from=2026-01-01T00:00:00Z&cursor=abc',
    );
    expect(redactUrl('/health/ready')).toBe('/health/ready');
    expect(redactUrl('/x?key')).toBe('/x?key');
    expect(redactUrl('/x?%E0%A4%A=1')).toBe('/x?%E0%A4%A=1');
    expect(redactUrl(undefined)).toBeUndefined();
  });
});
