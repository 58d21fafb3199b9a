import { lineageKey, READABLE_KEY_MAX } from './lineage';

describe('lineageKey', () => {
  it('keeps a short aggregate key readable, URL-encoded', () => {
    expect(lineageKey('user@x.io/7@2026-11-25T10', 2)).toBe(
      'lineage/user%40x.io%2F7%402026-11-25T10/v2.json',
    );
  });

  it('hashes a key whose encoded form is too long, staying within S3 and file-name limits', () => {
    const key = `${'中'.repeat(256)}@2026-11-25T10`;
    const path = lineageKey(key, 12);
    expect(path).toMatch(/^lineage\/~[0-9a-f]{64}\/v12\.json$/);
    expect(lineageKey(key, 12)).toBe(path);
    expect(lineageKey(`${'中'.repeat(255)}@2026-11-25T10`, 12)).not.toBe(path);
    expect(Buffer.byteLength(path)).toBeLessThan(1024);
  });

  it('switches to the hash exactly past READABLE_KEY_MAX encoded characters', () => {
    const fits = 'a'.repeat(READABLE_KEY_MAX);
    expect(lineageKey(fits, 1)).toBe(`lineage/${fits}/v1.json`);
    expect(lineageKey(`${fits}b`, 1)).toMatch(/^lineage\/~/);
  });
});
