import {
  outsideWindow,
  parseSignatureHeader,
  parseSigningSecrets,
  SignatureClaim,
  signatureHeader,
  signatureMatches,
} from './request-signing';

const SECRET = 'orders-secret-0123456789abcdef0123';
const T = 1764064800;
const BODY = Buffer.from('{"a":1}');
/** printf '%s.%s' 1764064800 '{"a":1}' | openssl dgst -sha256 -hmac "$SECRET" -hex */
const OPENSSL_MAC = '6d4cf1baa0f725d0c3bdd7e30438a6635a5fe7bd166c4376dfc230a454c962bf';

describe('request signing', () => {
  it('signs "<t>.<raw body>" with HMAC-SHA256, as the openssl example in docs/api.md does', () => {
    expect(signatureHeader('orders-svc', SECRET, BODY, T * 1000)).toBe(
      `t=${T},s=orders-svc,v1=${OPENSSL_MAC}`,
    );
  });

  it('verifies the MAC over the exact bytes', () => {
    const claim = parseSignatureHeader(`t=${T}, s=orders-svc, v1=${OPENSSL_MAC}`) as SignatureClaim;
    const secret = Buffer.from(SECRET);
    expect(signatureMatches(secret, claim, BODY)).toBe(true);
    expect(signatureMatches(secret, claim, Buffer.from('{"a": 1}'))).toBe(false);
    expect(signatureMatches(Buffer.from(`${SECRET}x`), claim, BODY)).toBe(false);
    expect(signatureMatches(secret, { ...claim, timestamp: T + 1 }, BODY)).toBe(false);
  });

  it('accepts a signing time within five minutes either way', () => {
    const claim = parseSignatureHeader(`t=${T},s=a,v1=${OPENSSL_MAC}`) as SignatureClaim;
    expect(outsideWindow(claim, (T + 300) * 1000)).toBeUndefined();
    expect(outsideWindow(claim, (T - 300) * 1000)).toBeUndefined();
    expect(outsideWindow(claim, (T + 301) * 1000)).toBe(301);
    expect(outsideWindow(claim, (T - 301) * 1000)).toBe(-301);
  });

  it.each([
    ['', /t=/],
    [`s=a,v1=${OPENSSL_MAC}`, /t=/],
    [`t=x,s=a,v1=${OPENSSL_MAC}`, /t=/],
    [`t=1,v1=${OPENSSL_MAC}`, /s=/],
    [`t=1,s=A,v1=${OPENSSL_MAC}`, /s=/],
    ['t=1,s=a,v1=abc', /v1=/],
    [`t=1,s=a,v1=${OPENSSL_MAC.toUpperCase()}`, /v1=/],
  ])('says what is wrong with %j', (header, message) => {
    expect(parseSignatureHeader(header)).toMatch(message);
  });

  it('parses source:secret pairs and refuses bad ones', () => {
    expect([...parseSigningSecrets(`a:${'x'.repeat(32)}, b.c:${'y'.repeat(40)}`).keys()]).toEqual([
      'a',
      'b.c',
    ]);
    expect(() => parseSigningSecrets(`a:${'x'.repeat(32)},a:${'y'.repeat(32)}`)).toThrow(
      /entry 2: source a appears twice/,
    );
    expect(() => parseSigningSecrets('nocolon')).toThrow(/entry 1/);
  });
});
