import { findApiKey, parseApiKeys, roleAllows } from './api-keys';

describe('api keys', () => {
  const keys = parseApiKeys('producer:p-key-0123456789abcdef, operator:o-key-0123456789abcdef');

  it('parses role:key pairs', () => {
    expect(keys.map((k) => k.role)).toEqual(['producer', 'operator']);
    expect(keys[0].label).toMatch(/^producer:[0-9a-f]{4}$/);
  });

  it('finds the key that matches and nothing else', () => {
    expect(findApiKey(keys, 'o-key-0123456789abcdef')?.role).toBe('operator');
    expect(findApiKey(keys, 'o-key-0123456789abcdeF')).toBeUndefined();
    expect(findApiKey(keys, '')).toBeUndefined();
  });

  it('rejects unknown roles and short keys, naming the entry', () => {
    expect(() => parseApiKeys('admin:0123456789abcdef01')).toThrow(/entry 1.*role one of/);
    expect(() => parseApiKeys('producer:0123456789abcdef01,producer:short')).toThrow(/entry 2.*at least 16/);
    expect(() => parseApiKeys('nocolon')).toThrow(/entry 1/);
  });

  it('lets an operator act as investigator but not the other way round', () => {
    expect(roleAllows('operator', ['investigator'])).toBe(true);
    expect(roleAllows('investigator', ['operator'])).toBe(false);
    expect(roleAllows('producer', ['investigator', 'operator'])).toBe(false);
    expect(roleAllows('producer', ['producer'])).toBe(true);
  });
});
