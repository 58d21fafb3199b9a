import { findApiKey, parseApiKeys, roleAllows } from './api-keys';
import { SourceScope } from './source-scope';

describe('api keys', () => {
  const keys = parseApiKeys(
    'producer:p-key-0123456789abcdef, operator:o-key-0123456789abcdef,' +
      'orders-2026=producer:q-key-0123456789abcdef:orders-svc|billing-*',
  );

  it('parses role:key pairs with an id derived from the key unless the entry names one', () => {
    expect(keys.map((k) => k.role)).toEqual(['producer', 'operator', 'producer']);
    expect(keys[0].id).toMatch(/^producer-[0-9a-f]{8}$/);
    expect(keys[1].id).toMatch(/^operator-[0-9a-f]{8}$/);
    expect(keys[2].id).toBe('orders-2026');
  });

  it('scopes a producer key to its sources: exact names and prefixes', () => {
    const scope = keys[2].scope;
    expect(scope.covers('orders-svc')).toBe(true);
    expect(scope.covers('billing-eu')).toBe(true);
    expect(scope.covers('billing')).toBe(false);
    expect(scope.covers('orders-svc2')).toBe(false);
    expect(scope.covers('shipping')).toBe(false);
    expect(keys[0].scope.covers('anything')).toBe(true);
  });

  it('finds the key that matches and nothing else', () => {
    expect(findApiKey(keys, 'o-key-0123456789abcdef')?.role).toBe('operator');
    expect(findApiKey(keys, 'q-key-0123456789abcdef')?.id).toBe('orders-2026');
    expect(findApiKey(keys, 'o-key-0123456789abcdeF')).toBeUndefined();
    expect(findApiKey(keys, '')).toBeUndefined();
  });

  it('keeps several keys of one role at once (rotation)', () => {
    const two = parseApiKeys('producer:old-key-0123456789abc,producer:new-key-0123456789abc');
    expect(findApiKey(two, 'old-key-0123456789abc')?.id).not.toBe(
      findApiKey(two, 'new-key-0123456789abc')?.id,
    );
  });

  it.each([
    ['admin:0123456789abcdef01', /entry 1.*role one of/],
    ['producer:0123456789abcdef01,producer:short', /entry 2.*at least 16/],
    ['nocolon', /entry 1/],
    ['investigator:0123456789abcdef01:orders', /entry 1.*only producer keys/],
    ['producer:0123456789abcdef01:Orders', /entry 1.*source pattern "Orders"/],
    ['producer:0123456789abcdef01:ord*ers', /entry 1.*source pattern/],
    ['producer:0123456789abcdef01:a:b', /entry 1: expected/],
    ['Bad Id=producer:0123456789abcdef01', /entry 1: id must match/],
    ['a=producer:0123456789abcdef01,a=producer:0123456789abcdef02', /entry 2: id a repeats entry 1/],
    ['producer:0123456789abcdef01,operator:0123456789abcdef01', /entry 2: the same key appears twice/],
  ])('rejects %s, naming the entry', (raw, message) => {
    expect(() => parseApiKeys(raw)).toThrow(message);
  });

  it('lets an operator act as investigator but not the other way round', () => {
    expect(roleAllows('operator', ['investigator'])).toBe(true);
    expect(roleAllows('investigator', ['operator'])).toBe(false);
    expect(roleAllows('producer', ['investigator', 'operator'])).toBe(false);
    expect(roleAllows('producer', ['producer'])).toBe(true);
  });
});

describe('source scope', () => {
  it('reads * as every source and prints itself back', () => {
    expect(SourceScope.parse('a|*').all).toBe(true);
    expect(SourceScope.parse('orders-svc|billing-*').toString()).toBe('orders-svc|billing-*');
    expect(SourceScope.only('x').covers('x')).toBe(true);
    expect(SourceScope.only('x').covers('xy')).toBe(false);
  });
});
